/**
 * The HTML building blocks of the schema docs: escaping, descriptions, and
 * the page shell. Pages are self-contained (inline CSS, no scripts, fonts or
 * remote assets) so they work from file:// and from a static host alike.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values alike: everything from the schema goes through here. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);
}

/** `code` spans and **bold**; everything else is text. Escaped first, so no markup gets through. */
function inline(text: string): string {
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

/** The id of an element, which is its schema coordinate: `#Product.price` links to it. */
export const anchor = (coordinate: string) => escapeHtml(coordinate);

export type NavLink = { label: string; href: string; current: boolean };

export type PageParts = {
  title: string;
  /** One line under the title: which schema this is. */
  subtitle: string;
  nav: NavLink[];
  /** The table of contents; empty for pages without one. */
  sidebar: string;
  main: string;
};

const CSS = `
:root { color-scheme: light dark; --fg: #1d2129; --muted: #5c6370; --bg: #fff; --panel: #f6f7f9; --line: #dde1e6;
  --accent: #2457c5; --code: #eef1f5; --breaking: #b42318; --dangerous: #a15c07; --safe: #1a7f37; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --muted: #9aa3ad; --bg: #15171a; --panel: #1d2024;
  --line: #30353b; --accent: #7aa7ff; --code: #262a30; --breaking: #ff8a80; --dangerous: #f0b35a; --safe: #6fd08c; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
code, .signature { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }
code { background: var(--code); padding: 0.05em 0.3em; border-radius: 3px; }
header { padding: 1rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { margin: 0; font-size: 1.3rem; } header p { margin: 0.2rem 0 0.6rem; color: var(--muted); }
nav a { display: inline-block; margin-right: 0.4rem; padding: 0.15rem 0.6rem; border: 1px solid var(--line); border-radius: 999px; }
nav a.current { background: var(--accent); color: var(--bg); border-color: var(--accent); }
.layout { display: flex; align-items: flex-start; }
aside { position: sticky; top: 0; max-height: 100vh; overflow: auto; width: 15rem; flex: none; padding: 1rem 1.5rem; border-right: 1px solid var(--line); font-size: 0.9em; }
aside h2 { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); margin: 1rem 0 0.3rem; }
aside ul { list-style: none; margin: 0; padding: 0; }
main { flex: 1; min-width: 0; padding: 1rem 2rem 4rem; max-width: 60rem; }
main > section > h2 { border-bottom: 1px solid var(--line); padding-bottom: 0.3rem; margin-top: 2.5rem; }
.type { margin: 1.5rem 0 2rem; padding-top: 0.5rem; }
.type > h3 { margin: 0 0 0.3rem; font-size: 1.15rem; } .kind { color: var(--muted); font-weight: normal; }
.related { color: var(--muted); margin: 0.3rem 0; }
.member { border-left: 3px solid var(--line); padding: 0.3rem 0 0.3rem 0.8rem; margin: 0.6rem 0; }
.member:target, .type:target > h3 { background: var(--panel); }
.signature { font-weight: 600; } .signature a { font-weight: normal; }
.description p { margin: 0.25rem 0; } .description ul { margin: 0.25rem 0; padding-left: 1.3rem; }
.arguments { list-style: none; margin: 0.3rem 0 0; padding-left: 1rem; }
.deprecated { color: var(--dangerous); } .deprecated .description { display: inline; } .deprecated p { display: inline; }
.is-deprecated > .signature { text-decoration: line-through; text-decoration-color: var(--muted); }
.badges { margin-left: 0.4rem; } .badge { display: inline-block; font-size: 0.72rem; font-weight: normal; line-height: 1.4;
  padding: 0 0.45rem; margin-right: 0.2rem; border-radius: 999px; border: 1px solid var(--line); color: var(--muted); vertical-align: middle; }
.badge.contract { border-color: var(--accent); color: var(--accent); }
.severity { font-weight: 600; } .severity.breaking { color: var(--breaking); } .severity.dangerous { color: var(--dangerous); } .severity.safe { color: var(--safe); }
.changes { list-style: none; padding: 0; } .changes li { margin: 0.3rem 0; }
@media (max-width: 50rem) { .layout { display: block; } aside { position: static; width: auto; max-height: none; border-right: 0; } main { padding: 1rem; } }
`;

/** A whole page; `nav` hrefs are relative, so the site can be moved or opened from disk. */
export function renderPage(parts: PageParts): string {
  const nav = parts.nav
    .map((link) => `<a href="${escapeHtml(link.href)}"${link.current ? ' class="current" aria-current="page"' : ''}>${escapeHtml(link.label)}</a>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(parts.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(parts.title)}</h1>
<p>${escapeHtml(parts.subtitle)}</p>
<nav>
${nav}
</nav>
</header>
<div class="layout">
${parts.sidebar === '' ? '' : `<aside>\n${parts.sidebar}\n</aside>\n`}<main>
${parts.main}
</main>
</div>
</body>
</html>
`;
}
