import { shop, shopSubgraphs } from '../../fixtures/shop-subgraphs.js';
import type { Shape } from '../shape.js';

/** The shop of test/fixtures/shop-subgraphs.ts: an interface, a union, @requires, @provides, data that fails on purpose. */
export const shopShape: Shape = {
  name: 'shop',
  about: 'A small shop in three subgraphs (test/fixtures/shop-subgraphs.ts), with holes, repeats, errors without codes and users that do not exist.',
  subgraphs: shopSubgraphs,
  reset: () => shop.reset(),
  scenarios: [
    {
      name: 'errors of one entity at several places, in the order of the places (found by a generated operation)',
      query: '{ latestReviews { author { ...Mail email } } } fragment Mail on User { a: email }',
    },
    {
      name: 'aliases named as keys, one inside the other: aliased out of the way in two rounds (found by a generated operation)',
      query: '{ search(text: "ghost") { ...Writer ... { ... on Book { shipping } ... on Product { price } } } } fragment Writer on Book { upc: author { id: email } }',
    },
    {
      name: 'aliases, directives and variables beside introspection',
      query: `query Mixed($upc: ID!, $withAuthor: Boolean = true, $skipFormat: Boolean!) {
        kind: __type(name: "SearchResult") { possibleTypes { name } }
        one: product(upc: $upc) { ...Named format @skip(if: $skipFormat) ... on Book @include(if: $withAuthor) { author { handle } } }
        two: product(upc: "f1") { ...Named }
        __typename
      }
      fragment Named on Product { label: name cost: price }`,
      variables: { upc: 'b1', skipFormat: true },
      operationName: 'Mixed',
    },
    {
      name: 'an interface and a union through named, inline and nested fragments',
      query: `query Shapes {
        search(text: "dune") { __typename ...Named ... on Book { author { ...Person } } }
        gift: product(upc: "g1") { ...Named ... on Gift { wrapped } }
        films: products(filter: { formats: [FILM] }) { ...Named ... on Film { minutes } }
      }
      fragment Named on Product { __typename name format }
      fragment Person on User { id name handle }`,
    },
    {
      name: 'a user that does not exist in a non-null position',
      query: '{ latestReviews { id reviewer { handle } } }',
    },
    {
      name: 'a private email beside a null in a non-null position',
      query: '{ latestReviews { id author { name email } reviewer { handle } } }',
    },
    {
      name: 'an error without a code, on one entity of a list of books',
      query: '{ products(filter: { formats: [BOOK] }) { upc ... on Book { reviews { stars } } } }',
    },
    {
      name: '@requires and @provides in one operation, with variables',
      query: `query($min: Int = 4) { latestReviews { author { name } product { ... on Book { shipping reviews(minStars: $min) { id } } } } }`,
    },
    {
      name: 'mutations in order across subgraphs',
      query: `mutation { first: setPrice(upc: "b1", price: 40) { price ... on Book { shipping } } rename(id: "u1", name: "Ada L.") { name } second: setPrice(upc: "b1", price: 8) { ... on Book { shipping author { name } } } }`,
    },
  ],
  values: {
    'Query.product(upc:)': ['b1', 'f1', 'g1', 'b3', 'zz'],
    'Query.products(first:)': [1, 3],
    // Not "" nor "a": a list mixing books that fail with other types is where stock blames the wrong entity
    // (test/gateway/executor/entities.test.ts); the scenarios cover it.
    'Query.search(text:)': ['dune', 'emma', 'alien', 'ghost'],
    'Query.review(id:)': ['r1', 'r6', 'r9'],
    'ProductFilter.maxPrice': [20, 100],
    'ProductFilter.formats': [['BOOK'], ['FILM', 'GIFT']],
    'Book.reviews(minStars:)': [0, 4],
    'Mutation.setPrice(upc:)': ['b1', 'f1', 'zz'],
    'Mutation.setPrice(price:)': [7, 40],
    'Mutation.rename(id:)': ['u1', 'u9'],
    'Mutation.rename(name:)': ['Ada L.', 'Bob "the builder"\n'],
  },
  // `first` always given: the whole list (b3 among films and a gift) is that same mixed list.
  generator: { mutations: true, alwaysGive: ['Query.products(first:)'] },
};
