import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  entityFetches,
  expectSame,
  keysOf,
  perSubgraph,
  startComparison,
  stopComparison,
  viaApollo,
  viaJunction,
  type Answer,
} from '../../support/executor-comparison.js';

/**
 * Junction's executor against stock @apollo/gateway over the shop's three
 * subgraphs (test/support/executor-comparison.ts), on entities: the same
 * answers while sending each distinct representation once, and subgraph
 * errors on entities reported where they belong. Where the two differ, the
 * test says which one the GraphQL spec sides with.
 */
beforeAll(startComparison);
afterAll(stopComparison);

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
