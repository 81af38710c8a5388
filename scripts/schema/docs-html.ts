import { SEARCH_FORM, SEARCH_INDEX_FILE, SEARCH_SCRIPT } from './docs-search-script.js';
import { CSS } from './docs-style.js';

/**
 * The HTML building blocks of the schema docs: escaping, descriptions, and
 * the page shell. Pages are self-contained (inline CSS and script, the search
 * index a file beside them; no fonts or remote assets) so they work from
 * file:// and from a static host alike.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values alike: everything from the schema goes through here. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);
}

/** `code` spans and **bold**; everything else is text. Escaped first, so no markup gets through. */
export function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

/**
 * SDL descriptions are the API documentation: the Markdown they use in
 * practice (paragraphs, `- ` lists, inline code) rendered, the rest as text.
 */
export function renderDescription(description: string | null | undefined): string {
  if (description === null || description === undefined || description.trim() === '') return '';
  const blocks = description.trim().split(/\n\s*\n/);
  const html = blocks.map((block) => {
    const lines = block.split('\n').map((line) => line.trim());
    if (lines.every((line) => /^[-*] /.test(line))) {
      return `<ul>${lines.map((line) => `<li>${inline(line.slice(2))}</li>`).join('')}</ul>`;
    }
    return `<p>${inline(lines.join(' '))}</p>`;
  });
  return `<div class="description">${html.join('')}</div>`;
}

/** A description's first paragraph, on one line, inline markup only: what an overview lists beside a name. */
export function renderSummary(description: string | null | undefined): string {
  const first = description?.trim().split(/\n\s*\n/)[0] ?? '';
  return first === '' ? '' : inline(first.split('\n').map((line) => line.trim()).join(' '));
}

/** The id of an element, which is its schema coordinate: `#Product.price` links to it. */
export const anchor = (coordinate: string) => escapeHtml(coordinate);

export type NavLink = { label: string; href: string; current: boolean };

export type PageParts = {
  /** The page's `<title>`; its `<h1>` is in `main`. */
  title: string;
  /** The name of the site the page belongs to: the full API's reference or one contract's. */
  site: string;
  /** One line under the site's name: which schema this is. */
  subtitle: string;
  nav: NavLink[];
  /** The table of contents; empty for pages without one. */
  sidebar: string;
  main: string;
  /** From this page to its site's folder (`''` or `'../'`...): its index.html and search-index.js are there. */
  root: string;
};

/**
 * A whole page; every href is relative, so the site can be moved or opened
 * from disk. The search form is hidden until the inline script, with the
 * index loaded beside it, makes it work: without scripts the page is whole.
 */
export function renderPage(parts: PageParts): string {
  const nav = parts.nav
    .map((link) => `<a href="${escapeHtml(link.href)}"${link.current ? ' class="current" aria-current="page"' : ''}>${escapeHtml(link.label)}</a>`)
    .join('\n');
  const root = escapeHtml(parts.root);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(parts.title)}</title>
<style>${CSS}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<p class="site"><a href="${root}index.html">${escapeHtml(parts.site)}</a></p>
<p class="subtitle">${escapeHtml(parts.subtitle)}</p>
<nav aria-label="Schemas">
${nav}
</nav>
${SEARCH_FORM}
</header>
<div class="layout">
${parts.sidebar === '' ? '' : `<aside>\n<nav aria-label="Contents">\n${parts.sidebar}\n</nav>\n</aside>\n`}<main id="main">
${parts.main}
</main>
</div>
<script src="${root}${SEARCH_INDEX_FILE}" data-search-index></script>
<script>${SEARCH_SCRIPT}</script>
</body>
</html>
`;
}
