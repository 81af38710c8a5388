import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseAccept, weightOf } from './encoders/negotiate.js';

/*
 * The gateway's in-browser IDE: GraphiQL, React and ReactDOM served from their
 * npm packages by the gateway itself. Nothing is fetched from a CDN: the CSS's
 * fonts and images are inlined as data: URLs, and the bundles' http(s) strings
 * are comments, doc links in error messages and XML namespaces.
 */

const require = createRequire(import.meta.url);

type Package = { dir: string; version: string };

/** A package's folder and version, via its package.json (the `exports` maps of react and react-dom block deep paths). */
function findPackage(name: string): Package {
  const manifestPath = require.resolve(`${name}/package.json`);
  const manifest: unknown = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const version = typeof manifest === 'object' && manifest !== null && 'version' in manifest ? manifest.version : undefined;
  if (typeof version !== 'string') throw new Error(`${manifestPath} has no version`);
  return { dir: dirname(manifestPath), version };
}

const graphiql = findPackage('graphiql');
const react = findPackage('react');
const reactDom = findPackage('react-dom');

/** Where the IDE's assets are served from, e.g. '/ide/3.8.3/' (versioned so they can be cached forever). */
export const IDE_ASSET_PREFIX = `/ide/${graphiql.version}/`;

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** The allow-list: request name → file. React's names carry its version because the prefix only carries GraphiQL's. */
const ASSETS = new Map<string, { file: string; contentType: string }>([
  ['graphiql.min.css', { file: join(graphiql.dir, 'graphiql.min.css'), contentType: CSS }],
  ['graphiql.min.js', { file: join(graphiql.dir, 'graphiql.min.js'), contentType: JS }],
  [`react-${react.version}.min.js`, { file: join(react.dir, 'umd/react.production.min.js'), contentType: JS }],
  [`react-dom-${reactDom.version}.min.js`, { file: join(reactDom.dir, 'umd/react-dom.production.min.js'), contentType: JS }],
]);

const url = (name: string): string => `${IDE_ASSET_PREFIX}${name}`;
const STYLESHEET_URL = url('graphiql.min.css');
const SCRIPT_URLS = [
  url(`react-${react.version}.min.js`),
  url(`react-dom-${reactDom.version}.min.js`),
  url('graphiql.min.js'),
];

/**
 * The page's only inline script. It is the same on every page (options travel in a
 * JSON data block, which browsers never execute), so one CSP hash covers it.
 */
const BOOTSTRAP = `
(function () {
  var config = JSON.parse(document.getElementById('ide-config').textContent);
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      // Subscriptions over graphql-ws on the same path and host (connect-src 'self' covers ws: and wss: there).
      fetcher: GraphiQL.createFetcher({
        url: config.endpoint,
        subscriptionUrl: (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + config.endpoint
      }),
      defaultEditorToolsVisibility: true,
      defaultQuery: config.defaultQuery
    })
  );
})();
`;

const BOOTSTRAP_HASH = `'sha256-${createHash('sha256').update(BOOTSTRAP).digest('base64')}'`;

/** Headers for the page; the IDE calls only its own origin. */
export const IDE_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': [
    "default-src 'none'",
    `script-src 'self' ${BOOTSTRAP_HASH}`,
    // 'unsafe-inline' because Radix's dialogs (settings, shortcuts) inject <style> elements at
    // runtime through react-style-singleton, whose nonce is bundle-internal and cannot be set.
    // A style hash would switch 'unsafe-inline' off, so the page's own <style> relies on it too.
    "style-src 'self' 'unsafe-inline'",
    // data: because graphiql.min.css inlines its fonts (Roboto, Fira Code) and a few PNGs as data: URLs.
    "font-src 'self' data:",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
};

/** True when the request is a browser navigation that wants HTML rather than a GraphQL response. */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = parseAccept(accept);
  // Only an explicit text/html counts: */* alone is an API client that takes anything.
  const html = ranges.find((range) => range.type === 'text' && range.subtype === 'html');
  if (!html || html.q === 0) return false;
  const json = Math.max(weightOf(ranges, 'application/json'), weightOf(ranges, 'application/graphql-response+json'));
  return html.q > json;
}

/** The HTML page; `endpoint` is the GraphQL URL path the page sends queries to (e.g. '/graphql'). */
export function renderIdePage(options: { endpoint: string; title?: string; defaultQuery?: string }): string {
  const config = { endpoint: options.endpoint, defaultQuery: options.defaultQuery };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title ?? 'Junction GraphiQL')}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${STYLESHEET_URL}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading…</div>
<script id="ide-config" type="application/json">${jsonForScript(config)}</script>
${SCRIPT_URLS.map((src) => `<script src="${src}"></script>`).join('\n')}
<script>${BOOTSTRAP}</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** JSON that cannot end its <script> element (`</script>`, `<!--`) nor break a JS string (U+2028/2029). */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export type IdeAsset = { status: 200 | 304; headers: Record<string, string>; body?: Buffer };

type Representation = { body: Buffer; etag: string };
type LoadedAsset = { contentType: string; identity: Representation; gzip: Representation };

const loaded = new Map<string, LoadedAsset>();

/** Reads and compresses an asset on its first request (graphiql.min.js: ~0.1 s, once), then keeps it in memory. */
function load(name: string): LoadedAsset | null {
  const cached = loaded.get(name);
  if (cached) return cached;
  const spec = ASSETS.get(name);
  if (!spec) return null;
  const body = readFileSync(spec.file);
  const digest = createHash('sha256').update(body).digest('base64url');
  const asset: LoadedAsset = {
    contentType: spec.contentType,
    identity: { body, etag: `"${digest}"` },
    // Strong ETags differ per representation: the gzipped bytes are not the identity bytes.
    gzip: { body: gzipSync(body, { level: 9 }), etag: `"${digest}-gzip"` },
  };
  loaded.set(name, asset);
  return asset;
}

/** The asset for a request path under IDE_ASSET_PREFIX, or null when the path is not one of ours. */
export function ideAsset(path: string, request: { acceptEncoding?: string; ifNoneMatch?: string }): IdeAsset | null {
  if (!path.startsWith(IDE_ASSET_PREFIX)) return null;
  // An exact name from the allow-list, never a file-system path.
  const asset = load(path.slice(IDE_ASSET_PREFIX.length));
  if (!asset) return null;

  const gzip = acceptsGzip(request.acceptEncoding);
  const representation = gzip ? asset.gzip : asset.identity;
  const headers: Record<string, string> = {
    etag: representation.etag,
    'cache-control': 'public, max-age=31536000, immutable',
    vary: 'Accept-Encoding',
  };
  if (request.ifNoneMatch !== undefined && etagMatches(request.ifNoneMatch, representation.etag)) {
    return { status: 304, headers };
  }
  return {
    status: 200,
    headers: {
      ...headers,
      'content-type': asset.contentType,
      'content-length': String(representation.body.length),
      'x-content-type-options': 'nosniff',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    },
    body: representation.body,
  };
}

function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  const codings = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [coding, ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (!coding) continue;
    const qParam = params.find((param) => param.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    codings.set(coding, Number.isFinite(q) ? q : 0);
  }
  const q = codings.get('gzip') ?? codings.get('x-gzip') ?? codings.get('*') ?? 0;
  return q > 0;
}

/** If-None-Match uses weak comparison (RFC 9110 §13.1.2): a W/ prefix still matches. */
function etagMatches(ifNoneMatch: string, etag: string): boolean {
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag.replace(/^W\//, '') === etag);
}
