import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSame, perSubgraph, startComparison, stopComparison } from '../../support/executor-comparison.js';

/**
 * Junction's executor against stock @apollo/gateway over the shop's three
 * subgraphs (test/support/executor-comparison.ts), on mutations: root fields
 * run one after the other, with the same answers.
 */
beforeAll(startComparison);
afterAll(stopComparison);

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
