import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { books, borrowed, startLibrary, type Library } from '../support/library.js';

/**
 * CORS as browsers see it, on `junction gateway` processes over a supergraph
 * that is not ours: which origins may read answers (exact, `*.domain`, `:*`,
 * `*`), the exact headers of answers and preflights, refusals a page can read,
 * preflights answered before identify and the rate limit, production's
 * same-origin default and development's localhost one. Node's fetch sends the
 * Origin header a browser would (a browser's own run is
 * test/ide/cross-origin-page.test.ts).
 */
const APP = 'https://app.example.com';
const CONFIGURED = {
  CORS_ORIGINS: `${APP}, *.example.org, http://localhost:*`,
  CORS_CREDENTIALS: 'true',
  CORS_MAX_AGE: '120',
  OVERRIDE_LABEL_HEADER: 'x-override-labels',
  // Each test is its own client (X-Forwarded-For), with a small bucket to reach 429.
  TRUST_PROXY: '1',
  RATE_LIMIT_BURST: '3',
  RATE_LIMIT_PER_SECOND: '1',
};
/** What a page may send, in the order the gateway lists them. */
const ALLOWED_HEADERS =
  'accept, content-type, authorization, x-api-key, apollo-require-preflight, x-apollo-operation-name, graphql-preflight, ' +
  'apollographql-client-name, apollographql-client-version, traceparent, tracestate, x-request-id, x-junction-cost';

let library: Library;
/** NODE_ENV=production, nothing about CORS set. */
let sameOrigin: GatewayProcess;
/** NODE_ENV=production with CONFIGURED. */
let configured: GatewayProcess;
/** NODE_ENV=production, CORS_ORIGINS=*. */
let anyOrigin: GatewayProcess;
/** NODE_ENV=development, nothing about CORS set. */
let development: GatewayProcess;

beforeAll(async () => {
  library = await startLibrary();
  // Side by side, each kept as it starts, so that afterAll stops whatever did.
  await Promise.all([
    startGatewayProcess(library.supergraphSdl).then((started) => (sameOrigin = started)),
    startGatewayProcess(library.supergraphSdl, CONFIGURED).then((started) => (configured = started)),
    startGatewayProcess(library.supergraphSdl, { CORS_ORIGINS: '*' }).then((started) => (anyOrigin = started)),
    startGatewayProcess(library.supergraphSdl, { NODE_ENV: 'development' }).then((started) => (development = started)),
  ]);
}, 120_000);

afterAll(async () => {
  for (const gateway of [sameOrigin, configured, anyOrigin, development]) if (gateway) expect(await gateway.stop()).toBe(0);
  await library?.stop();
});

let client = 0;
/** A client address of its own, so that no test spends another's rate limit. */
const freshClient = () => ({ 'x-forwarded-for': `203.0.113.${(client += 1)}` });

const QUERY = { query: '{ books { isbn } }' };
const DATA = { books: books.map(({ isbn }) => ({ isbn })) };

type Body = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

/** The response's CORS headers and Vary, by name; absent ones left out. */
function corsHeaders(headers: Headers): Record<string, string> {
  return Object.fromEntries([...headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'));
}

async function post(gateway: GatewayProcess, origin: string | undefined, init: { body?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(origin === undefined ? {} : { origin }), ...freshClient(), ...init.headers },
    body: init.body ?? JSON.stringify(QUERY),
  });
  const body = (await response.json()) as Body;
  return { status: response.status, headers: response.headers, cors: corsHeaders(response.headers), body, code: body.errors?.[0]?.extensions?.code };
}

/** The preflight a browser sends before a JSON POST with an Authorization header. */
async function preflight(gateway: GatewayProcess, origin: string | undefined, headers: Record<string, string> = freshClient()) {
  const response = await fetch(gateway.url, {
    method: 'OPTIONS',
    headers: {
      ...(origin === undefined ? {} : { origin }),
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
      ...headers,
    },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, cors: corsHeaders(response.headers), text };
}

/** The headers an answer to an allowed origin carries on CONFIGURED's gateway. */
const allowedAnswer = (origin: string) => ({
  'access-control-allow-origin': origin,
  'access-control-allow-credentials': 'true',
  'access-control-expose-headers': 'x-request-id, retry-after',
  vary: 'Origin, Accept',
});

describe('production, CORS_ORIGINS unset: same origin only', () => {
  it('answers a request from another origin with no CORS header, so a browser keeps the answer from the page', async () => {
    const result = await post(sameOrigin, APP);
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual(DATA);
    expect(result.cors).toEqual({ vary: 'Accept' });
  });

  it('refuses a preflight with 403 and no CORS header, before any stage', async () => {
    const result = await preflight(sameOrigin, APP);
    expect(result.status).toBe(403);
    expect(result.cors).toEqual({});
    expect(JSON.parse(result.text)).toEqual({
      errors: [{ message: 'This origin may not call this API from a browser.', extensions: { code: 'CORS_ORIGIN_NOT_ALLOWED' } }],
    });
  });

  it('still answers an OPTIONS that is no preflight with 405', async () => {
    const response = await fetch(sameOrigin.url, { method: 'OPTIONS', headers: { origin: APP } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
    expect(((await response.json()) as Body).errors![0]!.extensions!.code).toBe('METHOD_NOT_ALLOWED');
  });
});

describe('production, CORS_ORIGINS with an origin and patterns, CORS_CREDENTIALS=true', () => {
  it('answers an allowed origin with that origin, credentials, the exposed headers and one Vary', async () => {
    const result = await post(configured, APP);
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual(DATA);
    expect(result.cors).toEqual(allowedAnswer(APP));
  });

  it.each([
    // Any subdomain of example.org, at any depth, over https on its default port.
    'https://a.example.org',
    'https://a.b.example.org',
    // http://localhost:* is any port, the default one included.
    'http://localhost:5173',
    'http://localhost',
  ])('allows %s', async (origin) => {
    expect((await post(configured, origin)).cors).toEqual(allowedAnswer(origin));
  });

  it.each([
    ['another port', 'https://app.example.com:8443'],
    ['another scheme', 'http://app.example.com'],
    ['a suffix of it', 'https://example.com'],
    ['a domain ending with it', 'https://app.example.com.evil.net'],
    ['the pattern\'s domain itself', 'https://example.org'],
    ['a pattern over http', 'http://a.example.org'],
    ['a pattern on another port', 'https://a.example.org:8443'],
    ['a name ending like the domain', 'https://evilexample.org'],
    ['the domain inside another', 'https://a.example.org.evil.net'],
    ['localhost over https', 'https://localhost:5173'],
    ['localhost as a subdomain', 'http://localhost.evil.net:5173'],
    ['127.0.0.1, not listed', 'http://127.0.0.1:5173'],
    ['an origin not as browsers write it', 'https://APP.example.com'],
    ['an origin with a path', `${APP}/`],
    ['sandboxed pages and files', 'null'],
    ['an origin past 300 characters', `https://${'a'.repeat(300)}.example.org`],
  ])('does not allow %s (%s), and still answers', async (_, origin) => {
    const result = await post(configured, origin);
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual(DATA);
    // The answer depends on Origin all the same: a cache must not give it to an allowed one.
    expect(result.cors).toEqual({ vary: 'Origin, Accept' });
  });

  it('says Vary: Origin to a request without one too', async () => {
    expect((await post(configured, undefined)).cors).toEqual({ vary: 'Origin, Accept' });
  });

  it('answers an allowed preflight 204 with the methods, every header the gateway reads, and the max age', async () => {
    const result = await preflight(configured, 'https://a.example.org');
    expect(result.status).toBe(204);
    expect(result.text).toBe('');
    expect(result.cors).toEqual({
      'access-control-allow-origin': 'https://a.example.org',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': `${ALLOWED_HEADERS}, x-override-labels`,
      'access-control-max-age': '120',
      vary: 'Origin',
    });
  });

  it('refuses a preflight from an origin not allowed, or from none, with 403 and no CORS header', async () => {
    for (const origin of ['https://evil.net', 'https://example.org', undefined]) {
      const result = await preflight(configured, origin);
      expect(result.status).toBe(403);
      expect(result.cors).toEqual({ vary: 'Origin' });
      expect(JSON.parse(result.text).errors[0].extensions.code).toBe('CORS_ORIGIN_NOT_ALLOWED');
    }
  });

  it('neither rate-limits nor counts preflights: they are answered before any stage', async () => {
    const counted = async () => {
      const text = await (await fetch(new URL('/metrics', configured.url))).text();
      return [...text.matchAll(/^junction_gateway_requests_total\{[^}]*\} (\d+)$/gm)].reduce((sum, [, n]) => sum + Number(n), 0);
    };
    const before = await counted();
    const one = freshClient();
    // Ten preflights from a client whose bucket holds three requests.
    for (let i = 0; i < 10; i++) expect((await preflight(configured, APP, one)).status).toBe(204);
    expect(await counted()).toBe(before);
    // Its three requests are all still there.
    for (let i = 0; i < 3; i++) expect((await post(configured, APP, { headers: one })).status).toBe(200);
    expect(await counted()).toBe(before + 3);
  });

  it('lets the page read a 429 and its Retry-After', async () => {
    const greedy = freshClient();
    for (let i = 0; i < 3; i++) await post(configured, APP, { headers: greedy });
    const result = await post(configured, APP, { headers: greedy });
    expect({ status: result.status, code: result.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
    expect(result.cors).toEqual(allowedAnswer(APP));
    expect(Number(result.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it.each([
    ['a bad token', 401, 'UNAUTHENTICATED', { headers: { authorization: 'Bearer not-a-jwt' } }],
    ['malformed JSON', 400, 'BAD_REQUEST', { body: '{"query": "{ books' }],
    ['a body over 2 MB', 413, 'PAYLOAD_TOO_LARGE', { body: JSON.stringify({ query: `{ books { isbn } } # ${'x'.repeat(2 * 1024 * 1024)}` }) }],
    ['an Accept it cannot answer', 406, 'NOT_ACCEPTABLE', { headers: { accept: 'text/csv' } }],
    ['more than 20 root fields', 400, 'GRAPHQL_VALIDATION_FAILED', { body: JSON.stringify({ query: `{ ${Array.from({ length: 21 }, (_, i) => `b${i}: books { isbn }`).join(' ')} }` }) }],
  ] as const)('lets the page read a refusal: %s, %i %s', async (_, status, code, init) => {
    const result = await post(configured, APP, init);
    expect({ status: result.status, code: result.code }).toEqual({ status, code });
    expect(result.cors).toEqual(allowedAnswer(APP));
    // The request id the page can read is the one in the error.
    expect(result.body.errors![0]!.extensions!.requestId).toBe(result.headers.get('x-request-id'));
  });

  it('runs a mutation from an origin not allowed as any other (CORS is what a page may read, CSRF prevention what it may send)', async () => {
    const before = borrowed.length;
    const result = await post(configured, 'https://evil.net', { body: JSON.stringify({ query: 'mutation { borrow(isbn: "9780486282114") { title } }' }) });
    expect(result.body.data).toEqual({ borrow: { title: 'Frankenstein' } });
    expect(borrowed.length).toBe(before + 1);
    expect(result.cors).toEqual({ vary: 'Origin, Accept' });
  });
});

describe('production, CORS_ORIGINS=*', () => {
  it('answers every origin with *, never with credentials, the same for all (no Vary: Origin)', async () => {
    for (const origin of [APP, 'https://evil.net', 'null', undefined]) {
      const result = await post(anyOrigin, origin);
      expect(result.body.data).toEqual(DATA);
      expect(result.cors).toEqual({ 'access-control-allow-origin': '*', 'access-control-expose-headers': 'x-request-id, retry-after', vary: 'Accept' });
    }
  });

  it('answers preflights 204 with *, and the default max age of 600 s', async () => {
    const result = await preflight(anyOrigin, 'https://evil.net');
    expect(result.status).toBe(204);
    expect(result.cors).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': '600',
    });
  });
});

describe('development, CORS_ORIGINS unset: a dev server on this machine, any port', () => {
  const answer = (origin: string) => ({ 'access-control-allow-origin': origin, 'access-control-expose-headers': 'x-request-id, retry-after', vary: 'Origin, Accept' });

  it.each(['http://localhost:5173', 'http://localhost:3000', 'http://localhost', 'http://127.0.0.1:5173', 'http://[::1]:8080'])('allows %s', async (origin) => {
    const result = await post(development, origin);
    expect(result.body.data).toEqual(DATA);
    expect(result.cors).toEqual(answer(origin));
  });

  it.each(['https://localhost:5173', 'http://localhost.example.com:5173', 'http://192.168.1.20:5173', APP])('does not allow %s', async (origin) => {
    expect((await post(development, origin)).cors).toEqual({ vary: 'Origin, Accept' });
  });

  it('answers the preflight of a page on http://localhost:5173 with 204, without credentials', async () => {
    const result = await preflight(development, 'http://localhost:5173');
    expect(result.status).toBe(204);
    expect(result.cors).toEqual({
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': '600',
      vary: 'Origin',
    });
  });
});
