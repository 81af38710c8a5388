import type { Changelog, ChangelogEntry } from './changelog.js';
import { escapeHtml } from './docs-html.js';
import { SEVERITIES } from './schema-change.js';

/**
 * The changelog page's content, from changelog.json: each publication, newest
 * first, with its changes by severity. A change's coordinate links to the
 * reference when the reference still documents it (a removed field does not).
 */
const HEADINGS = { breaking: 'Breaking', dangerous: 'Dangerous', safe: 'Safe' } as const;

/** Where the reference documents a coordinate, relative to the changelog page; undefined once it is gone. */
export type ReferenceLinks = (coordinate: string) => string | undefined;

function coordinateLink(coordinate: string, hrefOf: ReferenceLinks): string {
  const code = `<code>${escapeHtml(coordinate)}</code>`;
  const href = hrefOf(coordinate);
  return href === undefined ? code : `<a href="${escapeHtml(href)}">${code}</a>`;
}

function entry(found: ChangelogEntry, hrefOf: ReferenceLinks): string {
  const date = found.publishedAt.slice(0, 10);
  const heading = `<h2 id="${escapeHtml(found.publishedAt)}"><time datetime="${escapeHtml(found.publishedAt)}">${escapeHtml(date)}</time></h2>`;
  if (found.initial) return `<section class="entry">\n${heading}\n<p>First publication of the schema.</p>\n</section>`;
  const { breaking, dangerous, safe } = found.summary;
  const summary = `<p>${breaking} breaking, ${dangerous} dangerous, ${safe} safe.</p>`;
  const items = SEVERITIES.flatMap((level) =>
    found.changes
      .filter((change) => change.severity === level)
      .map(
        (change) =>
          `<li data-severity="${level}"><span class="severity ${level}">${HEADINGS[level]}</span> ` +
          `${coordinateLink(change.coordinate, hrefOf)} ${escapeHtml(change.message)}</li>`,
      ),
  );
  return `<section class="entry">\n${heading}\n${summary}\n<ul class="changes">${items.join('')}</ul>\n</section>`;
}

export function renderChangelog(changelog: Changelog, hrefOf: ReferenceLinks): string {
  const intro =
    '<p>Every publication of the API schema, newest first. <span class="severity breaking">Breaking</span> changes ' +
    'can fail an operation that worked; <span class="severity dangerous">dangerous</span> ones may change what it ' +
    'returns; <span class="severity safe">safe</span> ones change nothing an operation already does.</p>';
  if (changelog.entries.length === 0) return `${intro}\n<p>Nothing has been published yet.</p>`;
  return [intro, ...changelog.entries.map((found) => entry(found, hrefOf))].join('\n');
}
