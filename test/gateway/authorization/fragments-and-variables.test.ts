import { beforeAll, describe, expect, it } from 'vitest';
import {
  anonymous,
  loadSupergraph,
  run,
  signedIn,
  textOf,
  unauthorized,
  withScopes,
} from '../../support/authorization-harness.js';

/**
 * Removing protected fields from operations with fragments and variables:
 * what is sent on stays a valid operation (no empty fragments, no unused
 * variables), and the client still gets an answer at every position.
 */
beforeAll(loadSupergraph);

describe('fragments', () => {
  it('filters a named fragment used twice, with errors at every place it is spread', async () => {
    const outcome = await run(
      `query Two { first: book(id: "1") { ...Parts } books { ...Parts } }
       fragment Parts on Book { title price }`,
      anonymous,
    );
    expect(textOf(outcome.result)).not.toContain('price');
    expect(outcome.response).toEqual({
      data: {
        first: { title: 'Dune', price: null },
        books: [
          { title: 'Dune', price: null },
          { title: 'Emma', price: null },
        ],
      },
      errors: unauthorized(
        'UNAUTHENTICATED',
        'signing in',
        ['first', 'price'],
        ['books', 0, 'price'],
        ['books', 1, 'price'],
      ),
    });
  });

  it('drops a fragment left empty, its spreads, and sibling operations', async () => {
    const outcome = await run(
      `query Mine { book(id: "1") { title ...Secret ... on Book { ...Secret } } }
       query Other { books { ...Secret ...Unrelated } }
       fragment Secret on Book { price }
       fragment Unrelated on Book { title }`,
      anonymous,
      { operationName: 'Mine' },
    );
    const text = textOf(outcome.result);
    expect(text).not.toMatch(/Secret|Other|Unrelated|price/);
    expect(outcome.response).toEqual({
      data: { book: { title: 'Dune', price: null } },
      errors: unauthorized('UNAUTHENTICATED', 'signing in', ['book', 'price']),
    });
  });

  it('keeps nested fragments that still select something', async () => {
    const outcome = await run(
      `{ shelf { ...Shelved } }
       fragment Shelved on Item { title ...BookDetails }
       fragment BookDetails on Book { price reviews { body } }`,
      anonymous,
    );
    expect(textOf(outcome.result)).toContain('fragment BookDetails on Book');
    expect(outcome.response).toEqual({
      data: {
        shelf: [{ title: 'Dune', price: null, reviews: [{ body: 'Great' }, { body: 'Long' }] }, { title: 'Leaflet' }],
      },
      errors: unauthorized('UNAUTHENTICATED', 'signing in', ['shelf', 0, 'price']),
    });
  });
});

describe('variables', () => {
  it('drops a variable only a removed field used', async () => {
    const query = `query Excerpt($id: ID!, $length: Int!) { book(id: $id) { title excerpt(length: $length) } }`;
    const variables = { id: '1', length: 11 };
    const outcome = await run(query, signedIn, { variables });
    const text = textOf(outcome.result);
    expect(text).toContain('query Excerpt($id: ID!)');
    expect(text).not.toContain('$length');
    expect(outcome.response).toEqual({
      data: { book: { title: 'Dune', excerpt: null } },
      errors: unauthorized('FORBIDDEN', 'the "read:excerpts" scope', ['book', 'excerpt']),
    });
    const allowed = await run(query, withScopes('read:excerpts'), { variables });
    expect(allowed.response).toEqual({ data: { book: { title: 'Dune', excerpt: 'A beginning' } } });
  });

  it('honours @skip and @include on removed fields, given the variables', async () => {
    const query = 'query ($hide: Boolean!) { book(id: "1") { title price @skip(if: $hide) } }';
    const hidden = await run(query, anonymous, { variables: { hide: true } });
    expect(hidden.response).toEqual({ data: { book: { title: 'Dune' } } });
    const shown = await run(query, anonymous, { variables: { hide: false } });
    expect(shown.response).toEqual({
      data: { book: { title: 'Dune', price: null } },
      errors: unauthorized('UNAUTHENTICATED', 'signing in', ['book', 'price']),
    });
  });
});
