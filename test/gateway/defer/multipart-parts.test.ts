import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../../scripts/seed/world.js';
import { APOLLO_CLIENT_ACCEPT, mergeParts, partsOf } from '../../support/multipart.js';
import { startTestStack, type TestStack } from '../../support/stack.js';

/** @defer over HTTP, as Apollo Router answers it: multipart/mixed parts (deferSpec=20220824) that merge into the plain answer. */
const world = generateWorld();
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(world);
});
afterAll(() => stack?.close());

const HEAD = '\r\ncontent-type: application/json; charset=utf-8\r\n\r\n';

async function send(query: string, accept: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

/** The same operation's answer with every @defer taken out, as a client without multipart gets it. */
async function plain(query: string, variables: Record<string, unknown> = {}) {
  const answer = await send(query.replace(/@defer(\([^)]*\))?/g, ''), 'application/json', variables);
  return JSON.parse(answer.body) as { data: unknown; errors?: unknown[] };
}

const product = world.products[0]!;

describe('the parts', () => {
  it('are Apollo Router’s bytes: the non-deferred fields with hasNext, then the fragment at its path with its label, then the closing delimiter', async () => {
    const answer = await send(`{ product(upc: "${product.upc}") { upc ... @defer(label: "details") { name } } }`, APOLLO_CLIENT_ACCEPT);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('multipart/mixed;boundary="graphql";deferSpec=20220824');
    expect(answer.body).toBe(
      `\r\n--graphql${HEAD}{"data":{"product":{"upc":"${product.upc}"}},"hasNext":true}` +
        `\r\n--graphql${HEAD}{"hasNext":false,"incremental":[{"label":"details","data":{"name":${JSON.stringify(product.name)}},"path":["product"]}]}` +
        '\r\n--graphql--\r\n',
    );
  });

  it('merge into exactly the answer of the operation without @defer, across subgraphs and through lists', async () => {
    const query = `{ products(first: 3) { edges { node { upc ... @defer { name price reviews(first: 2) { rating author { username } } } } } } }`;
    const answer = await send(query, APOLLO_CLIENT_ACCEPT);
    const parts = partsOf(answer.body);
    expect(parts).toHaveLength(2);
    expect((parts[1] as { incremental: { path: unknown[] }[] }).incremental.map((item) => item.path)).toEqual([0, 1, 2].map((index) => ['products', 'edges', index, 'node']));
    expect(mergeParts(parts)).toEqual({ data: (await plain(query)).data, errors: [] });
  });

  it('nest: an inner fragment comes after the outer one it sits in, at each item of a list', async () => {
    const query = `{ product(upc: "${product.upc}") { upc ... @defer(label: "outer") { name reviews(first: 2) { body ... @defer(label: "inner") { author { username } } } } } }`;
    const parts = partsOf((await send(query, APOLLO_CLIENT_ACCEPT)).body) as { hasNext: boolean; incremental?: { label: string; path: unknown[] }[] }[];
    expect(parts.map((part) => part.hasNext)).toEqual([true, true, false]);
    expect(parts[1]!.incremental!.map((item) => [item.label, item.path])).toEqual([['outer', ['product']]]);
    const reviews = (await plain(query)).data as { product: { reviews: unknown[] } };
    expect(parts[2]!.incremental!.map((item) => [item.label, item.path])).toEqual(reviews.product.reviews.map((_, index) => ['inner', ['product', 'reviews', index]]));
    expect(mergeParts(parts)).toEqual({ data: reviews, errors: [] });
  });

  it('hold no item for a fragment whose object is null: the last part only closes the answer, as Apollo Router’s does', async () => {
    const answer = await send(`{ product(upc: "no-such-upc") { upc ... @defer(label: "details") { name } } }`, APOLLO_CLIENT_ACCEPT);
    expect(answer.body).toBe(`\r\n--graphql${HEAD}{"data":{"product":null},"hasNext":true}\r\n--graphql${HEAD}{"hasNext":false}\r\n--graphql--\r\n`);
  });

  it('leave out the label of a fragment that has none', async () => {
    const parts = partsOf((await send(`{ product(upc: "${product.upc}") { upc ... @defer { name } } }`, APOLLO_CLIENT_ACCEPT)).body);
    expect(parts[1]).toEqual({ hasNext: false, incremental: [{ data: { name: product.name }, path: ['product'] }] });
  });

  it('defer named fragment spreads too', async () => {
    const query = `query { product(upc: "${product.upc}") { upc ...Details @defer(label: "spread") } } fragment Details on Product { name price }`;
    const parts = partsOf((await send(query, APOLLO_CLIENT_ACCEPT)).body);
    expect(parts[1]).toEqual({ hasNext: false, incremental: [{ label: 'spread', data: { name: product.name, price: product.price }, path: ['product'] }] });
  });
});

describe('what is not deferred', () => {
  it('@defer(if: false), literal or by a variable, answers at once in JSON', async () => {
    for (const [query, variables] of [
      [`{ product(upc: "${product.upc}") { upc ... @defer(if: false) { name } } }`, {}],
      [`query($now: Boolean!) { product(upc: "${product.upc}") { upc ... @defer(if: $now) { name } } }`, { now: false }],
    ] as const) {
      const answer = await send(query, APOLLO_CLIENT_ACCEPT, variables);
      expect(answer.type).toBe('application/graphql-response+json; charset=utf-8');
      expect(JSON.parse(answer.body)).toEqual({ data: { product: { upc: product.upc, name: product.name } } });
    }
  });

  it('a variable that is true defers', async () => {
    const answer = await send(`query($later: Boolean!) { product(upc: "${product.upc}") { upc ... @defer(if: $later) { name } } }`, APOLLO_CLIENT_ACCEPT, { later: true });
    expect(partsOf(answer.body)).toEqual([
      { data: { product: { upc: product.upc } }, hasNext: true },
      { hasNext: false, incremental: [{ data: { name: product.name }, path: ['product'] }] },
    ]);
  });

  it('a client that does not accept multipart gets the whole answer at once, as without @defer', async () => {
    const query = `{ product(upc: "${product.upc}") { upc ... @defer(label: "details") { name reviews(first: 1) { body } } } }`;
    for (const accept of ['application/json', 'application/graphql-response+json', '*/*']) {
      const answer = await send(query, accept);
      expect(answer.type).not.toContain('multipart');
      expect(JSON.parse(answer.body)).toEqual(await plain(query));
    }
  });

  it('a plain operation from a client that accepts multipart is answered in JSON, the type it accepts best', async () => {
    const answer = await send(`{ product(upc: "${product.upc}") { upc name } }`, APOLLO_CLIENT_ACCEPT);
    expect(answer.type).toBe('application/graphql-response+json; charset=utf-8');
    expect(JSON.parse(answer.body)).toEqual({ data: { product: { upc: product.upc, name: product.name } } });
  });
});

describe('the API schema', () => {
  it('declares @defer as Apollo Router’s does, after the directives stock declares', async () => {
    const answer = await send('{ __schema { directives { name locations args { name type { kind name ofType { name } } defaultValue } } } }', 'application/json');
    const directives = (JSON.parse(answer.body) as { data: { __schema: { directives: { name: string }[] } } }).data.__schema.directives;
    expect(directives.at(-1)).toEqual({
      name: 'defer',
      locations: ['FRAGMENT_SPREAD', 'INLINE_FRAGMENT'],
      args: [
        { name: 'label', type: { kind: 'SCALAR', name: 'String', ofType: null }, defaultValue: null },
        { name: 'if', type: { kind: 'NON_NULL', name: null, ofType: { name: 'Boolean' } }, defaultValue: 'true' },
      ],
    });
  });
});
