/** The docs pages' one stylesheet, inlined in each page: no fonts, images or URLs, light and dark. */
export const CSS = `
:root { color-scheme: light dark; --fg: #1d2129; --muted: #5c6370; --bg: #fff; --panel: #f6f7f9; --line: #dde1e6;
  --accent: #2457c5; --code: #eef1f5; --breaking: #b42318; --dangerous: #a15c07; --safe: #1a7f37;
  --tok-keyword: #8a2bb9; --tok-type: #0b6e69; --tok-variable: #b5470b; --tok-string: #1a7f37; --tok-number: #2457c5; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --muted: #9aa3ad; --bg: #15171a; --panel: #1d2024;
  --line: #30353b; --accent: #7aa7ff; --code: #262a30; --breaking: #ff8a80; --dangerous: #f0b35a; --safe: #6fd08c;
  --tok-keyword: #d7a6ff; --tok-type: #6fd3c9; --tok-variable: #ffb07a; --tok-string: #8fdc9f; --tok-number: #9cc0ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
a:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
code, pre, .signature { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }
code { background: var(--code); padding: 0.05em 0.3em; border-radius: 3px; }
pre { background: var(--code); padding: 0.7rem 0.9rem; border-radius: 4px; overflow-x: auto; line-height: 1.45; }
pre code { background: none; padding: 0; font-size: 1em; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 0.5rem; background: var(--bg); padding: 0.3rem 0.6rem; z-index: 2; }
header { padding: 1rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--panel); }
header .site { margin: 0; font-size: 1.3rem; font-weight: 600; } header .site a { color: var(--fg); }
header p.subtitle { margin: 0.2rem 0 0.6rem; color: var(--muted); }
header nav a { display: inline-block; margin: 0 0.4rem 0.3rem 0; padding: 0.15rem 0.6rem; border: 1px solid var(--line); border-radius: 999px; }
header nav a.current { background: var(--accent); color: var(--bg); border-color: var(--accent); }
.search { margin-top: 0.6rem; position: relative; max-width: 36rem; }
.search label { display: block; font-size: 0.85rem; color: var(--muted); }
.search input { width: 100%; font: inherit; padding: 0.35rem 0.6rem; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--fg); }
.search-status { margin: 0.2rem 0; font-size: 0.85rem; color: var(--muted); min-height: 1.2em; }
.search-results { list-style: none; margin: 0; padding: 0; max-height: 60vh; overflow: auto; }
.search-results:empty { display: none; }
.search-results a { display: block; padding: 0.25rem 0.5rem; border-radius: 4px; }
.search-results a:focus, .search-results a:hover { background: var(--code); text-decoration: none; outline: none; }
.result-kind { display: inline-block; min-width: 5.5rem; font-size: 0.75rem; color: var(--muted); }
.result-name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.result-detail { color: var(--muted); font-size: 0.85rem; margin-left: 0.4rem; }
.layout { display: flex; align-items: flex-start; }
aside { position: sticky; top: 0; max-height: 100vh; overflow: auto; width: 15rem; flex: none; padding: 1rem 1.5rem; border-right: 1px solid var(--line); font-size: 0.9em; }
aside h2 { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); margin: 1rem 0 0.3rem; }
aside ul { list-style: none; margin: 0; padding: 0; }
aside a[aria-current] { font-weight: 700; }
main { flex: 1; min-width: 0; padding: 1rem 2rem 4rem; max-width: 60rem; }
main h1 { font-size: 1.6rem; margin: 0.5rem 0 0.6rem; }
main > section > h2, main section.part > h2 { border-bottom: 1px solid var(--line); padding-bottom: 0.3rem; margin-top: 2.5rem; }
.type { margin: 0 0 2rem; padding-top: 0.5rem; }
.kind { color: var(--muted); font-weight: normal; }
.related { color: var(--muted); margin: 0.3rem 0; }
.overview li { margin: 0.25rem 0; } .overview .summary { color: var(--muted); }
.member { border-left: 3px solid var(--line); padding: 0.3rem 0 0.3rem 0.8rem; margin: 0.6rem 0; }
.member:target, .type:target > h1 { background: var(--panel); }
.signature { font-weight: 600; } .signature a { font-weight: normal; }
.description p { margin: 0.25rem 0; } .description ul { margin: 0.25rem 0; padding-left: 1.3rem; }
.arguments { list-style: none; margin: 0.3rem 0 0; padding-left: 1rem; }
.deprecated { color: var(--dangerous); } .deprecated .description { display: inline; } .deprecated p { display: inline; }
.is-deprecated > div > .signature { text-decoration: line-through; text-decoration-color: var(--muted); }
.badges { margin-left: 0.4rem; } .badge { display: inline-block; font-size: 0.72rem; font-weight: normal; line-height: 1.4;
  padding: 0 0.45rem; margin-right: 0.2rem; border-radius: 999px; border: 1px solid var(--line); color: var(--muted); vertical-align: middle; }
.badge.contract { border-color: var(--accent); color: var(--accent); }
.severity { font-weight: 600; } .severity.breaking { color: var(--breaking); } .severity.dangerous { color: var(--dangerous); } .severity.safe { color: var(--safe); }
.changes { list-style: none; padding: 0; } .changes li { margin: 0.3rem 0; }
table { border-collapse: collapse; width: 100%; margin: 0.6rem 0 1rem; font-size: 0.92em; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: 0.35rem 0.5rem; }
th { color: var(--muted); font-weight: 600; } td:first-child { white-space: nowrap; }
tr:target { background: var(--panel); }
.operation { margin: 1.5rem 0 2.5rem; } .operation h3 { margin-bottom: 0.2rem; } .operation .meta { color: var(--muted); margin: 0 0 0.4rem; font-size: 0.9em; }
.operation h4 { margin: 0.8rem 0 0.2rem; font-size: 0.9rem; }
.tok-keyword { color: var(--tok-keyword); } .tok-type { color: var(--tok-type); } .tok-variable { color: var(--tok-variable); }
.tok-string { color: var(--tok-string); } .tok-number { color: var(--tok-number); } .tok-punct { color: var(--muted); } .tok-comment { color: var(--muted); font-style: italic; }
.note { color: var(--muted); font-size: 0.92em; }
@media (max-width: 50rem) { .layout { display: block; } aside { position: static; width: auto; max-height: none; border-right: 0; } main { padding: 1rem; } }
`;
