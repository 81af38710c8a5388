import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSame, perSubgraph, startComparison, stopComparison, viaApollo, viaJunction } from '../../support/executor-comparison.js';

/**
 * Junction's executor against stock @apollo/gateway over the shop's three
 * subgraphs (test/support/executor-comparison.ts), on the shape of a
 * selection: abstract types, fragments and aliases, @skip and @include, and
 * introspection beside fetched fields. Where the two differ, the test says
 * which one the GraphQL spec sides with.
 */
beforeAll(startComparison);
afterAll(stopComparison);

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
