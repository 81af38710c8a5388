import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { borrowed, books, startLibrary, type Library } from '../support/library.js';

/**
 * `NODE_ENV=production npx junction gateway` with nothing else configured, over
 * a supergraph that is not ours: every attack here must be refused by default,
 * with the exact status and code, as JSON in the GraphQL shape.
 */
let library: Library;
let gateway: GatewayProcess;

beforeAll(async () => {
  library = await startLibrary();
  gateway = await startGatewayProcess(library.supergraphSdl);
});

afterAll(async () => {
  expect(await gateway?.stop()).toBe(0);
  await library?.stop();
});

type Body = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

async function send(init: RequestInit & { path?: string; search?: string } = {}) {
  const url = new URL(gateway.url);
  if (init.path) url.pathname = init.path;
  if (init.search) url.search = init.search;
  const response = await fetch(url, init);
  const text = await response.text();
  let body: Body;
  try {
    body = JSON.parse(text) as Body;
  } catch {
    throw new Error(`not JSON (${response.status} ${response.headers.get('content-type')}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, body, code: body.errors?.[0]?.extensions?.code };
}

function postJson(payload: unknown, headers: Record<string, string> = {}) {
  return send({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });
}

function expectRefusal(result: Awaited<ReturnType<typeof send>>, status: number, code: string) {
  expect({ status: result.status, code: result.code }).toEqual({ status, code });
  expect(result.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
  // Every refusal carries the request id that finds it in the logs.
  expect(result.body.errors![0]!.extensions!.requestId).toBe(result.headers.get('x-request-id'));
  expect(result.body.data).toBeUndefined();
}

describe('HTTP hygiene', () => {
  it('executes a plain JSON POST', async () => {
    const result = await postJson({ query: '{ books { title author { name } } }' });
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual({
      books: [
        { title: 'Pride and Prejudice', author: { name: 'Jane Austen' } },
        { title: 'Sense and Sensibility', author: { name: 'Jane Austen' } },
        { title: 'Frankenstein', author: { name: 'Mary Shelley' } },
      ],
    });
  });

  it.each(['PUT', 'DELETE', 'PATCH'])('answers %s with 405 and the methods it allows', async (method) => {
    const result = await send({ method, headers: { 'content-type': 'application/json' }, body: '{}' });
    expectRefusal(result, 405, 'METHOD_NOT_ALLOWED');
    expect(result.headers.get('allow')).toBe('GET, POST');
  });

  it('answers malformed JSON with a JSON 400', async () => {
    const result = await send({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ books' });
    expectRefusal(result, 400, 'BAD_REQUEST');
  });

  it('does not execute a text/plain POST, which any web page can send (CSRF)', async () => {
    const before = borrowed.length;
    const result = await send({
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: 'mutation { borrow(isbn: "9780486282114") { title } }' }),
    });
    expectRefusal(result, 400, 'BAD_REQUEST');
    expect(borrowed.length).toBe(before);
  });

  it('does not execute a simple GET, and runs one that proves a preflight', async () => {
    const search = `?query=${encodeURIComponent('{ books { isbn } }')}`;
    expectRefusal(await send({ search }), 400, 'BAD_REQUEST');
    const allowed = await send({ search, headers: { 'apollo-require-preflight': 'true' } });
    expect(allowed.status).toBe(200);
    expect(allowed.body.data).toEqual({ books: books.map(({ isbn }) => ({ isbn })) });
  });

  it('refuses mutations over GET', async () => {
    const before = borrowed.length;
    const search = `?query=${encodeURIComponent('mutation { borrow(isbn: "9780486282114") { title } }')}`;
    expectRefusal(await send({ search, headers: { 'apollo-require-preflight': 'true' } }), 405, 'METHOD_NOT_ALLOWED');
    expect(borrowed.length).toBe(before);
  });

  it('refuses batches while batching is off', async () => {
    const result = await postJson([{ query: '{ books { isbn } }' }, { query: '{ books { title } }' }]);
    expectRefusal(result, 400, 'BATCHING_NOT_SUPPORTED');
  });

  it('answers an ambiguous document (several operations, no name) with 400', async () => {
    const result = await postJson({ query: 'query A { books { isbn } } query B { books { title } }' });
    expectRefusal(result, 400, 'OPERATION_RESOLUTION_FAILURE');
    const named = await postJson({ query: 'query A { books { isbn } } query B { books { title } }', operationName: 'B' });
    expect(named.status).toBe(200);
  });

  it('answers bad variables with 400 BAD_USER_INPUT', async () => {
    const query = 'query($isbn: ID!) { book(isbn: $isbn) { title } }';
    expectRefusal(await postJson({ query, variables: { isbn: { not: 'an id' } } }), 400, 'BAD_USER_INPUT');
    expectRefusal(await postJson({ query, variables: {} }), 400, 'BAD_USER_INPUT');
    expectRefusal(await postJson({ query, variables: 'isbn=1' }), 400, 'BAD_REQUEST');
  });

  it('refuses a body over 2 MB with 413 before parsing it', async () => {
    const result = await postJson({ query: `{ books { isbn } } # ${'x'.repeat(2 * 1024 * 1024)}` });
    expectRefusal(result, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers unknown paths with a JSON 404', async () => {
    const result = await send({ path: '/admin' });
    expect(result.status).toBe(404);
    expect(result.code).toBe('NOT_FOUND');
  });

  it('serves no IDE page in production', async () => {
    const response = await fetch(gateway.url, { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type')).not.toMatch(/html/);
    expect((await fetch(new URL('/ide/graphiql.min.js', gateway.url))).status).toBe(404);
  });
});

describe('parser and validation attacks', () => {
  const deep = (levels: number) => `{ __schema { types { ${'fields { type { '.repeat(Math.ceil(levels / 2))}name${' } }'.repeat(Math.ceil(levels / 2))} } } }`;

  it.each([
    ['more than 15,000 tokens', { query: `{ ${'__typename '.repeat(15_001)}}` }, 'GRAPHQL_PARSE_FAILED'],
    ['a syntax error', { query: '{ books { ' }, 'GRAPHQL_PARSE_FAILED'],
    ['more than 15 levels', { query: deep(16) }, 'GRAPHQL_VALIDATION_FAILED'],
    [
      'more than 15 levels through fragments',
      { query: `query { ...A } fragment A on Query { __schema { types { ...B } } } fragment B on __Type { ${'fields { type { '.repeat(7)}name${' } }'.repeat(7)} }` },
      'GRAPHQL_VALIDATION_FAILED',
    ],
    ['more than 30 aliases', { query: `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ')} }` }, 'GRAPHQL_VALIDATION_FAILED'],
    [
      'aliases multiplied by a fragment spread',
      {
        query: `{ books { ${'...F '.repeat(8)}} } fragment F on Book { ${Array.from({ length: 5 }, (_, i) => `t${i}: title`).join(' ')} }`,
      },
      'GRAPHQL_VALIDATION_FAILED',
    ],
    ['more than 20 root fields', { query: `{ ${Array.from({ length: 21 }, (_, i) => `b${i}: books { isbn }`).join(' ')} }` }, 'GRAPHQL_VALIDATION_FAILED'],
    ['a repeated directive', { query: `{ books ${'@skip(if: false) '.repeat(60)}{ isbn } }` }, 'GRAPHQL_VALIDATION_FAILED'],
    ['a fragment cycle', { query: '{ books { ...A } } fragment A on Book { ...B } fragment B on Book { ...A }' }, 'GRAPHQL_VALIDATION_FAILED'],
    [
      'a fragment bomb',
      {
        query: `{ books { ...F0 } } ${Array.from({ length: 40 }, (_, i) => `fragment F${i} on Book { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F40 on Book { isbn }`,
      },
      'GRAPHQL_VALIDATION_FAILED',
    ],
    ['a field repeated thousands of times', { query: `{ books { ${'title '.repeat(7_000)}} }` }, 'GRAPHQL_VALIDATION_FAILED'],
    ['an unknown field', { query: '{ books { price } }' }, 'GRAPHQL_VALIDATION_FAILED'],
  ])('refuses %s with 400', async (_name, payload, code) => {
    expectRefusal(await postJson(payload), 400, code);
  });

  it('never reaches the federation internals (_entities, _service)', async () => {
    expectRefusal(await postJson({ query: '{ _service { sdl } }' }), 400, 'GRAPHQL_VALIDATION_FAILED');
    expectRefusal(
      await postJson({ query: '{ _entities(representations: [{ __typename: "Book", isbn: "1" }]) { __typename } }' }),
      400,
      'GRAPHQL_VALIDATION_FAILED',
    );
  });
});

describe('introspection in production', () => {
  it('is refused for anonymous callers', async () => {
    expectRefusal(await postJson({ query: getIntrospectionQuery() }), 401, 'UNAUTHENTICATED');
    expectRefusal(await postJson({ query: '{ books { isbn } __type(name: "Book") { name } }' }), 401, 'UNAUTHENTICATED');
  });

  it('still answers __typename', async () => {
    const result = await postJson({ query: '{ __typename books { __typename isbn } }' });
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual({
      __typename: 'Query',
      books: books.map(({ isbn }) => ({ __typename: 'Book', isbn })),
    });
  });
});
