/**
 * The docs' search, in the browser: a form in every page's header, the index
 * as a script file beside the pages (`search-index.js`: browsers refuse
 * `fetch()` from file://, but load a script), and a small inline script that
 * searches as you type. No library, no remote asset; results are built with
 * `textContent`, so nothing in the index is ever parsed as HTML.
 */

/** The index's file name in each site's folder, and the global it sets. */
export const SEARCH_INDEX_FILE = 'search-index.js';
export const SEARCH_INDEX_GLOBAL = 'JUNCTION_SEARCH_INDEX';

/** How many results are listed at most; the status says how many there were. */
export const SEARCH_LIMIT = 20;

/**
 * The ranking, as plain JavaScript (tests run the same text): the query's
 * lower-case text against each entry's name: the whole name, then a prefix,
 * then the start of a part (after `.`, `(`, `_`, a space, or a camelCase hump),
 * then anywhere; then the entry's detail. Within a rank pages, types and
 * operations come before error codes, fields before arguments; then shorter
 * names, then index order. Linear in the index, with queries cut to 100 characters.
 */
export const RANK_SOURCE = `function junctionSearch(entries, query, limit) {
  var WEIGHT = { page: 0, operation: 1, type: 1, interface: 1, union: 1, enum: 1, input: 1, scalar: 1, error: 2, field: 3, value: 3, argument: 4 };
  var BOUNDARY = '.(_: ';
  var q = String(query).slice(0, 100).trim().toLowerCase();
  if (q === '') return { total: 0, results: [] };
  var scored = [];
  for (var i = 0; i < entries.length; i++) {
    var entry = entries[i];
    var name = entry.name.toLowerCase();
    var at = name.indexOf(q);
    var rank;
    if (at === 0) {
      rank = name.length === q.length ? 0 : 1;
    } else if (at > 0) {
      rank = 3;
      for (; at > 0; at = name.indexOf(q, at + 1)) {
        var before = entry.name.charAt(at - 1);
        var first = entry.name.charAt(at);
        var hump = first !== first.toLowerCase() && before === before.toLowerCase() && before !== before.toUpperCase();
        if (BOUNDARY.indexOf(before) !== -1 || hump) { rank = 2; break; }
      }
    } else if (entry.detail && entry.detail.toLowerCase().indexOf(q) !== -1) {
      rank = 4;
    } else {
      continue;
    }
    scored.push({ score: rank * 10 + (WEIGHT[entry.kind] === undefined ? 5 : WEIGHT[entry.kind]), length: name.length, at: i });
  }
  scored.sort(function (a, b) { return a.score - b.score || a.length - b.length || a.at - b.at; });
  return { total: scored.length, results: scored.slice(0, limit).map(function (found) { return entries[found.at]; }) };
}`;

/** The form: hidden until the script runs, labelled, its results announced politely. */
export const SEARCH_FORM = `<form class="search" role="search" hidden>
<label for="search-input">Search types, fields, operations, error codes and pages</label>
<input id="search-input" type="search" autocomplete="off" spellcheck="false" maxlength="100" aria-controls="search-results" aria-describedby="search-status" placeholder="Type a name, e.g. a type or a field; / to focus">
<p id="search-status" class="search-status" role="status" aria-live="polite"></p>
<ul id="search-results" class="search-results" aria-label="Search results"></ul>
</form>`;

/**
 * Typing searches; Enter follows the first result; Down and Up move through
 * the results and back to the box; Escape clears; "/" anywhere else focuses
 * the box. The index's hrefs are relative to its site's folder, which the
 * index script itself was loaded from: results link from there.
 */
const UI_SOURCE = `(function () {
  var form = document.querySelector('form.search');
  var index = window.${SEARCH_INDEX_GLOBAL};
  if (!form || !index) return;
  var input = form.querySelector('input');
  var status = form.querySelector('.search-status');
  var list = form.querySelector('.search-results');
  var loader = document.querySelector('script[data-search-index]');
  var base = loader ? loader.src.slice(0, loader.src.lastIndexOf('/') + 1) : '';
  form.hidden = false;
  function links() { return Array.prototype.slice.call(list.querySelectorAll('a')); }
  function part(className, text) {
    var span = document.createElement('span');
    span.className = className;
    span.textContent = text;
    return span;
  }
  function show() {
    var query = input.value.trim();
    var found = junctionSearch(index.entries, query, ${SEARCH_LIMIT});
    list.textContent = '';
    found.results.forEach(function (entry) {
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = base + entry.href;
      // Spaces between the parts, so that they are read (and copied) as words.
      link.appendChild(part('result-kind', entry.kind));
      link.appendChild(document.createTextNode(' '));
      link.appendChild(part('result-name', entry.name));
      if (entry.detail) {
        link.appendChild(document.createTextNode(' '));
        link.appendChild(part('result-detail', entry.detail));
      }
      item.appendChild(link);
      list.appendChild(item);
    });
    if (query === '') status.textContent = '';
    else if (found.total === 0) status.textContent = 'No results for "' + query + '".';
    else if (found.total > found.results.length) status.textContent = 'Showing ' + found.results.length + ' of ' + found.total + ' results: keep typing to narrow them.';
    else status.textContent = found.total + (found.total === 1 ? ' result.' : ' results.');
  }
  input.addEventListener('input', show);
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var first = links()[0];
    if (first) first.click();
  });
  form.addEventListener('keydown', function (event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === 'ArrowDown' && all.length > 0) {
      event.preventDefault();
      all[Math.min(at + 1, all.length - 1)].focus();
    } else if (event.key === 'ArrowUp' && at !== -1) {
      event.preventDefault();
      if (at === 0) input.focus(); else all[at - 1].focus();
    } else if (event.key === 'Escape') {
      input.value = '';
      show();
      input.focus();
    }
  });
  document.addEventListener('keydown', function (event) {
    var active = document.activeElement;
    var typing = active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
    if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      input.focus();
    }
  });
})();`;

/** The inline script of every page: the ranking, then the form's behaviour. */
export const SEARCH_SCRIPT = `\n${RANK_SOURCE}\n${UI_SOURCE}\n`;
