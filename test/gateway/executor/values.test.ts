import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSame, startComparison, stopComparison } from '../../support/executor-comparison.js';

/**
 * Junction's executor against stock @apollo/gateway over the shop's three
 * subgraphs (test/support/executor-comparison.ts), on values: nulls in
 * non-null fields (errors at their paths, where stock uses extensions.valueCompletion), variables, and strings
 * written byte for byte as JSON.stringify writes them.
 */
beforeAll(startComparison);
afterAll(stopComparison);

describe('nulls in non-null fields', () => {
  // u9 wrote reviews r6 but is no user: `people` resolves u9 to null, so reviewer.handle (String!) is null.
  it('nulls the nearest nullable parent and reports it in errors, where stock uses extensions.valueCompletion', async () => {
    const { data, ours } = await expectSame(`{
      latestReviews { id reviewer { handle } }
      film: product(upc: "f1") { ... on Film { reviews { id reviewer { handle } } } }
    }`);
    const by = (id: string, handle: string) => ({ id, reviewer: { handle } });
    expect(data).toEqual({
      latestReviews: [by('r4', '@eve'), by('r1', '@ada'), null, null, by('r7', '@eve'), by('r4', '@eve'), null],
      film: { reviews: null },
    });
    expect(ours.valueCompletion).toBeUndefined();
    expect(ours.errors).toEqual(
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

  it('reports the completion errors that stock drops when a fetch failed too', async () => {
    const { ours, data } = await expectSame('{ latestReviews { id reviewer { handle } } review(id: "r7") { author { email } } }');
    expect((data?.latestReviews as unknown[])[3]).toBeNull();
    expect(ours.valueCompletion).toBeUndefined();
    expect(ours.errors.map((error) => [error.extensions?.code, error.path?.join('.')])).toEqual([
      ['FORBIDDEN', 'review.author.email'],
      ['INVALID_GRAPHQL', 'latestReviews.3.reviewer.handle'],
      ['INVALID_GRAPHQL', 'latestReviews.6.reviewer.handle'],
    ]);
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
