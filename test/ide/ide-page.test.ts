import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it, expect } from 'vitest';
import { IDE_ASSET_PREFIX, IDE_PAGE_HEADERS, ideAsset, prefersHtml, renderIdePage } from '#gateway/http/ide.js';

const require = createRequire(import.meta.url);
const graphiqlCss = readFileSync(join(require.resolve('graphiql/package.json'), '..', 'graphiql.min.css'));
const cssPath = `${IDE_ASSET_PREFIX}graphiql.min.css`;

const CHROME_NAVIGATION =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';

/** The contents of every <script> and <link> reference in the page. */
function assetUrls(page: string): string[] {
  return [...page.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]*)"/g)].map((match) => match[1] ?? '');
}

function inlineScripts(page: string): string[] {
  return [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1] ?? '');
}

describe('the IDE page', () => {
  it('loads the stylesheet, React, ReactDOM and GraphiQL from the gateway, never from another host', () => {
    const page = renderIdePage({ endpoint: '/graphql' });

    expect(IDE_ASSET_PREFIX).toBe('/ide/3.8.3/');
    expect(assetUrls(page)).toEqual([
      'data:,',
      '/ide/3.8.3/graphiql.min.css',
      '/ide/3.8.3/react-18.3.1.min.js',
      '/ide/3.8.3/react-dom-18.3.1.min.js',
      '/ide/3.8.3/graphiql.min.js',
    ]);
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).toContain('<title>Junction GraphiQL</title>');
    for (const url of assetUrls(page).filter((url) => url.startsWith(IDE_ASSET_PREFIX))) {
      expect(ideAsset(url, {})?.status).toBe(200);
    }
  });

  it('keeps a hostile default query and title inert', () => {
    const defaultQuery = '# </script><script>alert(1)</script><!-- \u2028\u2029 & "quotes"\n{ hello }';
    const page = renderIdePage({ endpoint: '/graphql', title: '</title><script>alert(2)</script>', defaultQuery });

    expect(page).not.toContain('alert(1)</script>');
    expect(page).not.toContain('<script>alert(2)');
    expect(page).not.toContain('<!--');
    expect(page).not.toMatch(/[\u2028\u2029]/);
    expect(page).toContain('<title>&#60;/title&#62;&#60;script&#62;alert(2)&#60;/script&#62;</title>');
    const config = /<script id="ide-config" type="application\/json">([^<]*)<\/script>/.exec(page)?.[1];
    expect(JSON.parse(config ?? 'null')).toEqual({ endpoint: '/graphql', defaultQuery });
  });

  it('allows its one inline script by hash and nothing from elsewhere', () => {
    const page = renderIdePage({ endpoint: '/graphql', defaultQuery: '{ a }' });
    const csp = IDE_PAGE_HEADERS['content-security-policy'] ?? '';
    const [bootstrap, ...others] = inlineScripts(page);
    const hash = createHash('sha256')
      .update(bootstrap ?? '')
      .digest('base64');

    expect(others).toEqual([]);
    expect(bootstrap).toContain('GraphiQL.createFetcher({');
    expect(bootstrap).toContain('url: config.endpoint');
    // Subscriptions over graphql-ws to the page's own host and path.
    expect(bootstrap).toContain("subscriptionUrl: (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + config.endpoint");
    expect(bootstrap).toContain('ReactDOM.createRoot');
    expect(renderIdePage({ endpoint: '/other', defaultQuery: '{ b }' })).toContain(`<script>${bootstrap}</script>`);
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:|unsafe-eval|\*/);
    expect(IDE_PAGE_HEADERS['content-type']).toBe('text/html; charset=utf-8');
    expect(IDE_PAGE_HEADERS['cache-control']).toBe('no-store');
  });
});

describe('prefersHtml', () => {
  it('is true for a browser navigation', () => {
    expect(prefersHtml(CHROME_NAVIGATION)).toBe(true);
    expect(prefersHtml('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe(true);
    expect(prefersHtml('text/html')).toBe(true);
  });

  it('is false for GraphQL clients, curl and a missing header', () => {
    expect(prefersHtml('application/json')).toBe(false);
    expect(prefersHtml('application/graphql-response+json, application/json;q=0.9')).toBe(false);
    expect(prefersHtml('*/*')).toBe(false);
    expect(prefersHtml(undefined)).toBe(false);
    expect(prefersHtml('')).toBe(false);
  });

  it('is false when JSON is preferred or HTML refused', () => {
    expect(prefersHtml('text/html;q=0.1, application/json')).toBe(false);
    expect(prefersHtml('text/html, application/json')).toBe(false);
    expect(prefersHtml('text/html;q=0, */*')).toBe(false);
  });
});

describe('ideAsset', () => {
  it('serves a known asset gzipped when the client accepts gzip', () => {
    const asset = ideAsset(cssPath, { acceptEncoding: 'gzip, deflate, br' });

    expect(asset?.status).toBe(200);
    expect(asset?.headers).toMatchObject({
      'content-type': 'text/css; charset=utf-8',
      'content-encoding': 'gzip',
      vary: 'Accept-Encoding',
      'cache-control': 'public, max-age=31536000, immutable',
    });
    expect(asset?.headers.etag).toMatch(/^"[^"]+"$/);
    expect(asset?.headers['content-length']).toBe(String(asset?.body?.length));
    expect(gunzipSync(asset?.body ?? Buffer.alloc(0)).equals(graphiqlCss)).toBe(true);
    expect(ideAsset(`${IDE_ASSET_PREFIX}graphiql.min.js`, {})?.headers['content-type']).toBe(
      'text/javascript; charset=utf-8',
    );
  });

  it('serves the bytes as they are without gzip in Accept-Encoding, under another ETag', () => {
    const identity = ideAsset(cssPath, { acceptEncoding: 'identity' });
    const refused = ideAsset(cssPath, { acceptEncoding: 'gzip;q=0, br' });
    const gzipped = ideAsset(cssPath, { acceptEncoding: 'gzip' });

    expect(identity?.status).toBe(200);
    expect(identity?.headers['content-encoding']).toBeUndefined();
    expect(identity?.headers.vary).toBe('Accept-Encoding');
    expect(identity?.body?.equals(graphiqlCss)).toBe(true);
    expect(refused?.body?.equals(graphiqlCss)).toBe(true);
    expect(ideAsset(cssPath, {})?.body?.equals(graphiqlCss)).toBe(true);
    expect(identity?.headers.etag).not.toBe(gzipped?.headers.etag);
  });

  it('answers 304 without a body when If-None-Match holds the ETag', () => {
    const etag = ideAsset(cssPath, { acceptEncoding: 'gzip' })?.headers.etag ?? '';
    const notModified = ideAsset(cssPath, { acceptEncoding: 'gzip', ifNoneMatch: `"other", W/${etag}` });

    expect(notModified).toEqual({
      status: 304,
      headers: { etag, 'cache-control': 'public, max-age=31536000, immutable', vary: 'Accept-Encoding' },
    });
    expect(ideAsset(cssPath, { acceptEncoding: 'gzip', ifNoneMatch: '"stale"' })?.status).toBe(200);
    // The identity representation has its own ETag, so a gzip ETag does not validate it.
    expect(ideAsset(cssPath, { ifNoneMatch: etag })?.status).toBe(200);
  });

  it('is null for anything outside its allow-list', () => {
    for (const path of [
      `${IDE_ASSET_PREFIX}nope.js`,
      `${IDE_ASSET_PREFIX}../../package.json`,
      `${IDE_ASSET_PREFIX}..%2f..%2fpackage.json`,
      `${IDE_ASSET_PREFIX}graphiql.min.js.map`,
      `${IDE_ASSET_PREFIX}constructor`,
      `${IDE_ASSET_PREFIX}`,
      '/ide/0.0.0/graphiql.min.css',
      '/graphiql.min.css',
      `/etc/passwd`,
    ]) {
      expect(ideAsset(path, { acceptEncoding: 'gzip' }), path).toBeNull();
    }
  });
});
