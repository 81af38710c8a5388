import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { parse } from 'graphql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph } from '#lib/supergraph.js';
import { SubgraphDataSource } from '../../gateway/src/data-source.js';
import { formatted } from '../../gateway/src/errors.js';
import { createExecutor, type Executor } from '../../gateway/src/executor.js';
import { shop, startShop, type Shop, type SubgraphRequest } from '../fixtures/shop-subgraphs.js';

/**
 * Junction's executor against stock @apollo/gateway (in Apollo Server, with
 * its own RemoteGraphQLDataSource), both over the same three real subgraphs
 * (test/fixtures/shop-subgraphs.ts): every operation must give the same
 * status, the same `data` down to the order of its keys, the same errors
 * (message, path, code) and the same `extensions.valueCompletion`. Where the
 * two differ, the test says which one the GraphQL spec sides with.
 */
type Answer = {
  status: number;
  /** `data` as JSON text: compared as text, so the order of keys counts. */
  data: string | undefined;
  /** Compared whole: message, path, locations, extensions (code, serviceName). */
  errors: ReturnType<typeof shapeOf>[];
  valueCompletion: unknown;
  /** What the subgraphs received for this one operation. */
  requests: SubgraphRequest[];
};

let subgraphs: Shop;
let junction: Executor;
let apollo: ApolloServer;
const sources: SubgraphDataSource[] = [];
const silent = { debug() {}, info() {}, warn() {}, error() {} };

beforeAll(async () => {
  subgraphs = await startShop();
  const composed = await composeSupergraph({
    federationVersion: '=2.14.4',
    subgraphs: subgraphs.subgraphs.map(({ name, url }) => ({ name, routingUrl: url, schema: { subgraphUrl: url } })),
  });
  if (!composed.ok) throw new Error(JSON.stringify(composed.problems));
  const logger = pino({ level: 'silent' });
  junction = createExecutor({
    supergraphSdl: composed.supergraphSdl,
    introspection: true,
    fetcher: ({ name, url }) => {
      const source = new SubgraphDataSource({ name, url, logger, production: false });
      sources.push(source);
      return source;
    },
  });
  apollo = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: composed.supergraphSdl, logger: silent }), logger: silent });
  await apollo.start();
});

afterAll(async () => {
  await apollo?.stop();
  for (const source of sources) source.close();
  await subgraphs?.stop();
});

type ErrorLike = { message: string; path?: readonly (string | number)[] | undefined; locations?: unknown; extensions?: Record<string, unknown> | undefined };
const shapeOf = ({ message, path, locations, extensions }: ErrorLike) => ({
  message,
  ...(path ? { path } : {}),
  ...(locations ? { locations } : {}),
  extensions,
});

async function viaJunction(query: string, variables?: Record<string, unknown>): Promise<Answer> {
  shop.reset();
  const from = subgraphs.log.length;
  const result = await junction.execute({ document: parse(query), query, variables, context: { requestId: 'differential' } });
  return {
    status: result.status,
    data: result.data,
    // As the pipeline shows them to clients (`formatted`): an error that came without a code gets one.
    errors: result.errors.map((error) => shapeOf(formatted(error))),
    valueCompletion: result.extensions?.valueCompletion,
    requests: subgraphs.log.slice(from),
  };
}

async function viaApollo(query: string, variables?: Record<string, unknown>): Promise<Answer> {
  shop.reset();
  const from = subgraphs.log.length;
  const response = await apollo.executeOperation({ query, ...(variables ? { variables } : {}) });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  const result = JSON.parse(JSON.stringify(response.body.singleResult)) as { data?: unknown; errors?: ErrorLike[]; extensions?: { valueCompletion?: unknown } };
  return {
    status: response.http.status ?? 200,
    data: 'data' in result ? JSON.stringify(result.data) : undefined,
    errors: (result.errors ?? []).map(shapeOf),
    valueCompletion: result.extensions?.valueCompletion,
    requests: subgraphs.log.slice(from),
  };
}

/** Runs the operation through both, each on a fresh shop; expects the same answer and returns both. */
async function expectSame(query: string, variables?: Record<string, unknown>) {
  const ours = await viaJunction(query, variables);
  const theirs = await viaApollo(query, variables);
  expect(ours.data === undefined ? undefined : JSON.parse(ours.data)).toEqual(theirs.data === undefined ? undefined : JSON.parse(theirs.data));
  expect(ours.data).toBe(theirs.data);
  expect({ status: ours.status, errors: ours.errors, valueCompletion: ours.valueCompletion }).toEqual({
    status: theirs.status,
    errors: theirs.errors,
    valueCompletion: theirs.valueCompletion,
  });
  return { ours, theirs, data: ours.data === undefined ? undefined : (JSON.parse(ours.data) as Record<string, unknown> | null) };
}

const entityFetches = (requests: SubgraphRequest[]) => requests.filter((request) => request.representations);
const keysOf = (request: SubgraphRequest) => request.representations!.map((representation) => JSON.stringify(representation));
const perSubgraph = (requests: SubgraphRequest[]) => requests.map((request) => request.subgraph);

describe('entities that many positions share', () => {
  it('joins three subgraphs three levels deep as Apollo does, sending each distinct representation once', async () => {
    const { ours, theirs, data } = await expectSame(`{
      users {
        name
        reviews {
          stars
          product { upc ... on Book { name shipping reviews { author { name handle } } } }
        }
      }
    }`);
    // Dune (price 12, weight 3) ships for 6; all three users reviewed it.
    const authors = ['Ada', 'Bob', 'Eve'].map((name) => ({ author: { name, handle: `@${name.toLowerCase()}` } }));
    expect(JSON.stringify(data)).toContain(JSON.stringify({ stars: 5, product: { upc: 'b1', name: 'Dune', shipping: 6, reviews: authors } }));
    // The same plan: as many requests to each subgraph (parallel fetches arrive in any order).
    expect(perSubgraph(ours.requests).sort()).toEqual(perSubgraph(theirs.requests).sort());
    for (const fetch of entityFetches(ours.requests)) expect(new Set(keysOf(fetch)).size).toBe(keysOf(fetch).length);
    // Not vacuous: Apollo sends the same books and users again and again.
    const sent = (answer: Answer) => entityFetches(answer.requests).map((fetch) => fetch.representations!.length).sort((a, b) => a - b);
    expect({ junction: sent(ours), apollo: sent(theirs) }).toEqual({ junction: [2, 2, 3, 3], apollo: [3, 5, 5, 13] });
  });

  it('keeps the holes and the repeats of a list of entities', async () => {
    const { data } = await expectSame(`{
      products(first: 4) { upc ... on Book { name author { name } good: reviews(minStars: 4) { id } all: reviews { id } } }
      latestReviews { id product { __typename upc name } author { name } }
    }`);
    expect((data?.products as unknown[]).map((product) => (product as { upc: string } | null)?.upc ?? null)).toEqual(['b1', 'f1', 'b2', 'b1', null, 'g1']);
  });
});

describe('abstract types, fragments and aliases', () => {
  it('shapes an interface and a union through named, inline and nested fragments', async () => {
    await expectSame(`
      query Shapes {
        kind: __typename
        search(text: "") {
          __typename
          ...Named
          ... on Product { upc ...Priced }
          ... on Book { author { ...Person } }
          ... on Book { author { handle ... on SearchResult { union: __typename } } }
          ... on User { ...Person reviews { product { ...Named ...Priced } } }
        }
        dune: product(upc: "b1") { ...Priced ... on Book { kind: __typename pages author { ...Person } } }
        alien: product(upc: "f1") { ...Priced ... on Film { minutes } }
        gift: product(upc: "g1") { ...Named ... on Gift { wrapped } }
        cheap: products(filter: { maxPrice: 20 }) { ...Named }
        films: products(filter: { formats: [FILM] }) { ...Named }
      }
      fragment Named on Product { __typename name format }
      fragment Priced on Product { price ... on Book { shipping } }
      fragment Person on User { __typename id name handle }
    `);
  });

  // The spec's CollectFields takes fields in the order the document has them: name, __typename, pages.
  // @apollo/gateway merges the two `... on Book` fragments first and answers name, pages, __typename.
  it('orders fields as the spec does when two inline fragments share a type condition (Apollo does not)', async () => {
    const query = '{ search(text: "dune") { ... on Book { name } __typename ... on Book { pages } } }';
    const [ours, theirs] = [await viaJunction(query), await viaApollo(query)];
    expect(ours.data).toBe('{"search":[{"name":"Dune","__typename":"Book","pages":600}]}');
    expect(theirs.data).toBe('{"search":[{"name":"Dune","pages":600,"__typename":"Book"}]}');
  });
});

describe('@skip and @include', () => {
  const query = `query Conditions($reviews: Boolean!, $brief: Boolean = false) {
    top: product(upc: "b1") @skip(if: $brief) { ...Shipping @include(if: $reviews) name }
    products(first: 3) {
      name
      price @skip(if: $brief)
      ... on Book @include(if: $reviews) { reviews { stars } }
      ... @skip(if: $brief) { format ... on Book { shipping } }
      upc @include(if: false)
      name @skip(if: true)
    }
  }
  fragment Shipping on Book { shipping }`;

  it('gives each set of variable values its own shape, again when it comes back', async () => {
    const full = await expectSame(query, { reviews: true });
    const brief = await expectSame(query, { reviews: false, brief: true });
    const again = await expectSame(query, { reviews: true });
    expect(again.ours.data).toBe(full.ours.data);
    await expectSame(query, { reviews: true, brief: true });
    const dune = { name: 'Dune', price: 12, reviews: [{ stars: 5 }, { stars: 3 }, { stars: 5 }], format: 'BOOK', shipping: 6 };
    expect(JSON.parse(full.ours.data!).products[0]).toEqual(dune);
    expect(full.data?.top).toEqual({ shipping: 6, name: 'Dune' });
    expect(brief.data).toEqual({ products: [{ name: 'Dune' }, { name: 'Alien' }, { name: 'Emma' }, { name: 'Dune' }] });
    // The skipped fetches are not made at all.
    expect(perSubgraph(brief.ours.requests)).toEqual(['catalog']);
  });
});

describe('subgraph errors on entities', () => {
  // `reviews` fails for b3 only. The fetch is for the Books of a list that also holds a Film, a Gift and a null:
  // Apollo looks the failing representation's index (3, among Books) up among all the list's entities and
  // blames products.3, Dune, whose reviews are fine. The spec wants the path of the field that failed:
  // products.6, Banned.
  it('points at the entity that failed, even in a list of several types (Apollo points at the wrong one)', async () => {
    const query = '{ products(first: 5) { upc ... on Book { reviews { id } } } }';
    const [ours, theirs] = [await viaJunction(query), await viaApollo(query)];
    expect(ours.data).toBe(theirs.data);
    expect(JSON.parse(ours.data!).products[6]).toEqual({ upc: 'b3', reviews: null });
    expect(ours.errors.map((error) => error.path)).toEqual([['products', 6, 'reviews']]);
    expect(theirs.errors.map((error) => error.path)).toEqual([['products', 3, 'reviews']]);
  });

  // Eve's email fails, and she is the author at latestReviews 0, 4 and 5. Apollo sends her three times;
  // Junction sends her once, and still reports the error at each of the three places, as the spec has it
  // ("Handling Field Errors": each of those fields raised an error).
  it('reports an error on a shared representation at every position that asked for it', async () => {
    const query = '{ latestReviews { id author { name email } } }';
    const [ours, theirs] = [await viaJunction(query), await viaApollo(query)];
    expect(ours.data).toBe(theirs.data);
    const error = { message: 'Email is private.', extensions: { code: 'FORBIDDEN', serviceName: 'people' } };
    expect(ours.errors).toEqual(theirs.errors);
    expect(theirs.errors).toEqual([0, 4, 5].map((at) => ({ ...error, path: ['latestReviews', at, 'author', 'email'] })));
    const users = ['u3', 'u1', 'u9'].map((id) => JSON.stringify({ __typename: 'User', id }));
    expect(entityFetches(ours.requests).map(keysOf)).toEqual([users]);
  });

  it('finds every position of a shared representation deep in entities that were themselves shared', async () => {
    const query = '{ users { reviews { product { ... on Book { reviews { author { email } } } } } } }';
    const [ours, theirs] = [await viaJunction(query), await viaApollo(query)];
    expect(ours.data).toBe(theirs.data);
    // Dune is under Ada, Bob and Eve; Eve reviewed it third. Apollo reports her email at all three places.
    const under = (user: number, review: number) => ['users', user, 'reviews', review, 'product', 'reviews', 2, 'author', 'email'];
    expect(ours.errors.map((error) => error.path)).toEqual([under(0, 0), under(1, 0), under(2, 1)]);
    expect(theirs.errors.map((error) => error.path)).toEqual([under(0, 0), under(1, 0), under(2, 1)]);
  });

  // A subgraph error without a code is the subgraph's failure: DOWNSTREAM_SERVICE_ERROR, in Junction as in
  // @apollo/gateway, rather than an INTERNAL_SERVER_ERROR that production would mask.
  it('gives a subgraph error that has no code DOWNSTREAM_SERVICE_ERROR, as Apollo does', async () => {
    const { ours } = await expectSame('{ product(upc: "b3") { ... on Book { reviews { id } } } }');
    expect(ours.errors.map((error) => error.extensions?.code)).toEqual(['DOWNSTREAM_SERVICE_ERROR']);
  });
});

describe('nulls in non-null fields', () => {
  // u9 wrote reviews r6 but is no user: `people` resolves u9 to null, so reviewer.handle (String!) is null.
  it('nulls the nearest nullable parent and reports it in extensions.valueCompletion when nothing else failed', async () => {
    const { data, ours } = await expectSame(`{
      latestReviews { id reviewer { handle } }
      film: product(upc: "f1") { ... on Film { reviews { id reviewer { handle } } } }
    }`);
    const by = (id: string, handle: string) => ({ id, reviewer: { handle } });
    expect(data).toEqual({
      latestReviews: [by('r4', '@eve'), by('r1', '@ada'), null, null, by('r7', '@eve'), by('r4', '@eve'), null],
      film: { reviews: null },
    });
    expect(ours.errors).toEqual([]);
    expect(ours.valueCompletion).toEqual(
      [['latestReviews', 3], ['latestReviews', 6], ['film', 'reviews', 1]].map((at) => ({
        message: 'Cannot return null for non-nullable field User.handle.',
        path: [...at, 'reviewer', 'handle'],
        extensions: { code: 'INVALID_GRAPHQL' },
      })),
    );
  });

  it('nulls `data` itself when the null reaches a non-null root field', async () => {
    const { data } = await expectSame('{ search(text: "ghost") { ... on User { handle } } }');
    expect(data).toBeNull();
  });

  it('reports the subgraph errors alone, without valueCompletion, when a fetch failed too', async () => {
    const { ours, data } = await expectSame('{ latestReviews { id reviewer { handle } } review(id: "r7") { author { email } } }');
    expect((data?.latestReviews as unknown[])[3]).toBeNull();
    expect(ours.valueCompletion).toBeUndefined();
    expect(ours.errors.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
  });
});

describe('variables', () => {
  const query = `query Filtered($formats: [Format!], $first: Int = 2, $filter: ProductFilter = { formats: [FILM] }) {
    listed: products(filter: { formats: $formats }, first: $first) { name format }
    filtered: products(filter: $filter) { name price }
  }`;

  it('applies defaults, lists, input objects and enum values', async () => {
    const defaults = await expectSame(query);
    expect(defaults.data).toEqual({
      listed: [{ name: 'Dune', format: 'BOOK' }, { name: 'Alien', format: 'FILM' }],
      filtered: [{ name: 'Alien', price: 30 }],
    });
    const given = await expectSame(query, { formats: ['BOOK'], first: 1, filter: { maxPrice: 10 } });
    expect(given.data).toEqual({ listed: [{ name: 'Dune', format: 'BOOK' }], filtered: [{ name: 'Banned', price: 5 }] });
  });

  it('refuses an invalid variable with 400 BAD_USER_INPUT, before any fetch', async () => {
    const { ours } = await expectSame(query, { formats: ['COMIC'] });
    expect(ours).toMatchObject({ status: 400, data: undefined, requests: [] });
    expect(ours.errors).toEqual([
      {
        message: 'Variable "$formats" got invalid value "COMIC" at "formats[0]"; Value "COMIC" does not exist in "Format" enum.',
        locations: [{ line: 1, column: 16 }],
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    await expectSame('query($filter: ProductFilter!) { products(filter: $filter) { name } }');
  });
});

describe('introspection beside data', () => {
  it('answers __typename, __schema and __type in the order asked, around fetched fields', async () => {
    const { data } = await expectSame(`query Mixed($type: String!) {
      __typename
      __schema { queryType { name } mutationType { name } }
      product(upc: "b1") { name }
      __type(name: "SearchResult") { name possibleTypes { name } }
      film: __type(name: $type) { name fields { name } }
    }`, { type: 'Film' });
    expect(Object.keys(data!)).toEqual(['__typename', '__schema', 'product', '__type', 'film']);
  });

  // The spec allows __schema and __type wherever a selection on Query is: in a fragment too.
  it('answers __schema and __type selected through fragments on Query', async () => {
    const { data } = await expectSame(`
      { ...Schema ... on Query { __type(name: "Book") { name } } product(upc: "b1") { name } }
      fragment Schema on Query { __schema { queryType { name } } }
    `);
    expect(data).toEqual({ __schema: { queryType: { name: 'Query' } }, __type: { name: 'Book' }, product: { name: 'Dune' } });
  });
});

describe('strings', () => {
  // Junction quotes a string as it is when its subgraph's answer had no backslash (nothing in it needs
  // escaping then) and escapes it otherwise; either way the text must be JSON.stringify's, byte for byte.
  it('are written exactly as JSON.stringify writes them, whichever subgraph they come from', async () => {
    const name = 'Bob "the \\ builder"\n\t\u0001 é 😀 \u2028';
    // One answer (people's) needs escaping, the other (reviews') does not.
    const { data } = await expectSame('mutation($name: String!) { rename(id: "u2", name: $name) { name handle reviews { body } } }', { name });
    expect(data).toEqual({ rename: { name, handle: '@bob', reviews: [{ body: 'Long' }, { body: 'Slow' }] } });
  });
});

describe('mutations', () => {
  it('runs root mutation fields one after the other, each seeing the one before', async () => {
    const { ours, data } = await expectSame(`mutation Reprice {
      first: setPrice(upc: "b1", price: 30) { price ... on Book { shipping } }
      rename(id: "u1", name: "Ada L.") { name }
      second: setPrice(upc: "b1", price: 7) { __typename price ... on Book { shipping author { name } } }
      __typename
    }`);
    expect(data).toEqual({
      first: { price: 30, shipping: 0 },
      rename: { name: 'Ada L.' },
      second: { __typename: 'Book', price: 7, shipping: 6, author: { name: 'Ada L.' } },
      __typename: 'Mutation',
    });
    // In order up to the second setPrice; its shipping (reviews) and author (people) are fetched in parallel.
    expect(perSubgraph(ours.requests).slice(0, 4)).toEqual(['catalog', 'reviews', 'people', 'catalog']);
    expect(perSubgraph(ours.requests).slice(4).sort()).toEqual(['people', 'reviews']);
  });
});
