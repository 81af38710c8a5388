import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Encoder } from '#gateway/http/encoders/encoder.js';
import { applicationJson, graphqlResponseJson } from '#gateway/http/encoders/json.js';
import { MAX_MEDIA_RANGES, negotiate, parseAccept } from '#gateway/http/encoders/negotiate.js';
import { prefersHtml } from '#gateway/http/ide.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startLibrary, type Library } from '../support/library.js';

/**
 * Which media type an answer goes out in (RFC 9110 §12.5.1, GraphQL over
 * HTTP): the encoders in the gateway's order, application/graphql-response+json
 * preferred, application/json the default.
 */
const ENCODERS = [graphqlResponseJson, applicationJson] as const;
const GRAPHQL = 'application/graphql-response+json';
const JSON_TYPE = 'application/json';

function chosen(accept: string | undefined): string | undefined {
  return negotiate(accept, ENCODERS)?.contentType.split(';')[0];
}

describe('negotiate', () => {
  it.each([
    // No preference: the default, as GraphQL over HTTP asks for a missing Accept and `*/*`.
    [undefined, JSON_TYPE],
    ['', JSON_TYPE],
    ['   ', JSON_TYPE],
    ['*/*', JSON_TYPE],
    ['application/*', JSON_TYPE],
    ['*/*;q=0.5', JSON_TYPE],
    // One type named.
    [JSON_TYPE, JSON_TYPE],
    [GRAPHQL, GRAPHQL],
    ['APPLICATION/GraphQL-Response+JSON', GRAPHQL],
    // Both named with equal weight: the GraphQL type, in either order.
    [`${JSON_TYPE}, ${GRAPHQL}`, GRAPHQL],
    [`${GRAPHQL}, ${JSON_TYPE}`, GRAPHQL],
    [`${JSON_TYPE};q=0.5, ${GRAPHQL};q=0.5`, GRAPHQL],
    // The highest weight wins.
    [`${GRAPHQL};q=0.4, ${JSON_TYPE};q=0.5`, JSON_TYPE],
    [`${GRAPHQL}, ${JSON_TYPE};q=0.9`, GRAPHQL],
    [`${JSON_TYPE};q=0.9, ${GRAPHQL}`, GRAPHQL],
    [`${JSON_TYPE};q=0.001, ${GRAPHQL};q=0.0009`, JSON_TYPE],
    // q=0 excludes, whatever else matches.
    [`${GRAPHQL};q=0`, undefined],
    [`${GRAPHQL};q=0, ${JSON_TYPE}`, JSON_TYPE],
    [`${GRAPHQL};q=0.000, */*`, JSON_TYPE],
    [`${JSON_TYPE};q=0, */*`, GRAPHQL],
    [`${JSON_TYPE};q=0, application/*`, GRAPHQL],
    [`*/*;q=0, ${GRAPHQL}`, GRAPHQL],
    ['*/*;q=0', undefined],
    // The most specific range gives the weight.
    [`application/*;q=0.2, ${GRAPHQL};q=0.1`, JSON_TYPE],
    [`*/*;q=0.9, ${JSON_TYPE};q=0.1`, GRAPHQL],
    [`application/*;q=0.3, */*;q=0.9`, JSON_TYPE],
    // A named type beats a wildcard at the same weight.
    [`${JSON_TYPE}, */*`, JSON_TYPE],
    [`${GRAPHQL}, */*`, GRAPHQL],
    [`*/*;q=0.8, ${GRAPHQL};q=0.8`, GRAPHQL],
    // Parameters: charset in any case; a range with a parameter we do not write does not match.
    [`${GRAPHQL}; charset=utf-8, ${JSON_TYPE}; charset=utf-8`, GRAPHQL],
    [`${GRAPHQL};charset=UTF-8`, GRAPHQL],
    [`${GRAPHQL};charset="utf-8"`, GRAPHQL],
    [`${GRAPHQL};charset=latin1`, undefined],
    [`${GRAPHQL};charset=latin1, ${JSON_TYPE};q=0.1`, JSON_TYPE],
    [`${JSON_TYPE};profile=x`, undefined],
    [`${JSON_TYPE};charset=utf-8;q=0, ${JSON_TYPE};q=0.5`, undefined],
    // What follows the weight is ignored.
    [`${GRAPHQL};q=0.5;level=1, ${JSON_TYPE};q=0.4`, GRAPHQL],
    // What clients send: Apollo Client 3 (fetch's default too), GraphiQL, Apollo Client 4, browsers.
    ['*/*', JSON_TYPE],
    [`${GRAPHQL}, ${JSON_TYPE};q=0.9`, GRAPHQL],
    [`${JSON_TYPE}, multipart/mixed`, JSON_TYPE],
    ['multipart/mixed;deferSpec=20220824,application/json', JSON_TYPE],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', JSON_TYPE],
    // Nothing we write.
    ['text/html', undefined],
    ['text/*, image/png', undefined],
    ['application/xml', undefined],
    ['multipart/mixed', undefined],
    // Malformed ranges are left out; a header with none left is no header.
    ['application', JSON_TYPE],
    ['json, ;;, /', JSON_TYPE],
    [`*/json, ${GRAPHQL}`, GRAPHQL],
    [`${GRAPHQL};q=2, ${JSON_TYPE};q=0.5`, JSON_TYPE],
    [`${GRAPHQL};q=abc`, JSON_TYPE],
    [`${GRAPHQL};q=1.5`, JSON_TYPE],
    [`${GRAPHQL};q=0.1234`, JSON_TYPE],
    [`${GRAPHQL};q=-1, text/html`, undefined],
    [`${GRAPHQL};foo="a,b;q=0", ${JSON_TYPE};q=0.1`, JSON_TYPE],
    [`text/html;foo="a,b", ${GRAPHQL}`, GRAPHQL],
    [`text/html;foo="unterminated, ${GRAPHQL}`, JSON_TYPE],
    [`,,${GRAPHQL} ,`, GRAPHQL],
    [` ${GRAPHQL} ; q = 0.5 `, JSON_TYPE],
  ] as [string | undefined, string | undefined][])('%j → %s', (accept, expected) => {
    expect(chosen(accept)).toBe(expected);
  });

  it('prefers the earlier encoder among equally weighted named types, and the last among wildcards', () => {
    const encoder = (contentType: string): Encoder => ({ contentType, write: () => {} });
    const [a, b, c] = [encoder('application/a'), encoder('application/b'), encoder('application/c')];
    expect(negotiate('application/c, application/b', [a, b, c])).toBe(b);
    expect(negotiate('application/*', [a, b, c])).toBe(c);
    expect(negotiate('application/*, application/a;q=0.5', [a, b, c])).toBe(c);
    expect(negotiate('application/*;q=0.5, application/a', [a, b, c])).toBe(a);
  });

  it('reads at most MAX_MEDIA_RANGES ranges and a bounded header, in linear time', () => {
    const ranges = parseAccept(Array.from({ length: 1_000 }, (_, index) => `text/x${index}`).join(', '));
    expect(ranges).toHaveLength(MAX_MEDIA_RANGES);
    expect(chosen(`${'text/x, '.repeat(MAX_MEDIA_RANGES)}${GRAPHQL}`)).toBeUndefined();
    const huge = [
      `${' '.repeat(1_000_000)}${GRAPHQL}`,
      `${GRAPHQL}${';'.repeat(1_000_000)}`,
      `${GRAPHQL};a="${'\\"'.repeat(500_000)}`,
      ','.repeat(1_000_000),
      `${GRAPHQL};q=${'0'.repeat(1_000_000)}`,
      'a'.repeat(1_000_000),
    ];
    for (const header of huge) {
      const started = performance.now();
      negotiate(header, ENCODERS);
      expect(performance.now() - started).toBeLessThan(50);
    }
  });
});

describe('prefersHtml (the GraphiQL page)', () => {
  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['text/html', true],
    ['text/html;q=0', false],
    ['*/*', false],
    [`${GRAPHQL}, ${JSON_TYPE};q=0.9`, false],
    [`text/html;q=0.5, ${JSON_TYPE}`, false],
    [`text/html, ${JSON_TYPE};q=0.5`, true],
    [`text/html;q=0.5, application/*;q=0.4`, true],
  ] as const)('%s → %s', (accept, expected) => {
    expect(prefersHtml(accept)).toBe(expected);
  });
});

describe('through a production gateway', () => {
  let library: Library;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    library = await startLibrary();
    gateway = await startGatewayProcess(library.supergraphSdl, { RATE_LIMIT: 'false' });
  });

  afterAll(async () => {
    expect(await gateway?.stop()).toBe(0);
    await library?.stop();
  });

  async function post(accept: string | undefined, query = '{ books { title } }') {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const response = await fetch(gateway.url, {
      method: 'POST',
      // fetch sends `Accept: */*` unless told otherwise; an empty value stands for none here.
      headers: accept === undefined ? headers : { ...headers, accept },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] };
    return { status: response.status, type: response.headers.get('content-type'), vary: response.headers.get('vary'), body };
  }

  it.each([
    ['*/*', JSON_TYPE],
    ['', JSON_TYPE],
    [JSON_TYPE, JSON_TYPE],
    [GRAPHQL, GRAPHQL],
    [`${JSON_TYPE}, ${GRAPHQL}`, GRAPHQL],
    [`${GRAPHQL};q=0, ${JSON_TYPE}`, JSON_TYPE],
    [`${GRAPHQL};q=0.5, ${JSON_TYPE}`, JSON_TYPE],
    // GraphiQL's fetchers, Apollo Client 4's default.
    [`${GRAPHQL}, ${JSON_TYPE};q=0.9`, GRAPHQL],
    [`${JSON_TYPE}, multipart/mixed`, JSON_TYPE],
  ])('Accept %j is answered as %s', async (accept, type) => {
    const result = await post(accept);
    expect(result.status).toBe(200);
    expect(result.type).toBe(`${type}; charset=utf-8`);
    expect(result.vary).toBe('Accept');
    expect(result.body.data).toEqual({ books: [{ title: 'Pride and Prejudice' }, { title: 'Sense and Sensibility' }, { title: 'Frankenstein' }] });
  });

  it('answers a request without an Accept header as application/json', async () => {
    // fetch always sends one (`*/*`): node:http sends none unless told.
    const answer = await new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
      const body = JSON.stringify({ query: '{ books { title } }' });
      const sent = request(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: text }));
      });
      sent.on('error', reject);
      sent.end(body);
    });
    expect(answer.status).toBe(200);
    expect(answer.type).toBe(`${JSON_TYPE}; charset=utf-8`);
    expect(JSON.parse(answer.body)).toEqual({ data: { books: [{ title: 'Pride and Prejudice' }, { title: 'Sense and Sensibility' }, { title: 'Frankenstein' }] } });
  });

  it('keeps the same status for a GraphQL error in either media type (400 for a validation failure)', async () => {
    for (const accept of [JSON_TYPE, GRAPHQL]) {
      const result = await post(accept, '{ nothing }');
      expect(result.status).toBe(400);
      expect(result.type).toBe(`${accept}; charset=utf-8`);
      expect(result.body.errors?.[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
  });

  it.each([`${GRAPHQL};q=0`, 'text/html', `${JSON_TYPE};q=0, ${GRAPHQL};q=0`, 'image/png, text/*'])(
    'answers %j with 406 NOT_ACCEPTABLE as application/json, before any subgraph is asked',
    async (accept) => {
      const seen = library.seen.length;
      const result = await post(accept);
      expect(result.status).toBe(406);
      expect(result.type).toBe(`${JSON_TYPE}; charset=utf-8`);
      expect(result.body.data).toBeUndefined();
      expect(result.body.errors).toEqual([
        {
          message: `The Accept header allows none of the media types GraphQL is answered in here: multipart/mixed, ${GRAPHQL}, text/event-stream, ${JSON_TYPE}.`,
          extensions: { code: 'NOT_ACCEPTABLE', requestId: expect.any(String) },
        },
      ]);
      expect(library.seen.length).toBe(seen);
    },
  );

  it('answers a GET the same way, and a browser navigation with JSON (no GraphiQL in production)', async () => {
    const url = `${gateway.url}?query=${encodeURIComponent('{ books { title } }')}`;
    const refused = await fetch(url, { headers: { accept: `${GRAPHQL};q=0`, 'apollo-require-preflight': 'true' } });
    expect(refused.status).toBe(406);
    const browser = await fetch(url, {
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'apollo-require-preflight': 'true' },
    });
    expect(browser.status).toBe(200);
    expect(browser.headers.get('content-type')).toBe(`${JSON_TYPE}; charset=utf-8`);
  });
});
