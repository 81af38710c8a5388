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
 * @authenticated and @requiresScopes on fields: each scenario authorizes an
 * operation, really executes what is left over in-memory data (logging every
 * field resolved, to prove what was never fetched), and checks the exact
 * response the client gets, nulls propagated as execution would.
 */
beforeAll(loadSupergraph);

describe('operations that select nothing protected', () => {
  it('run as sent, for anyone', async () => {
    const outcome = await run('{ books { id title reviews { body } author { name } } }', anonymous);
    expect(outcome.result).toEqual({ kind: 'allowed' });
    expect(outcome.response).toEqual({
      data: {
        books: [
          { id: '1', title: 'Dune', reviews: [{ body: 'Great' }, { body: 'Long' }], author: { name: 'Frank' } },
          { id: '2', title: 'Emma', reviews: [{ body: 'Witty' }], author: { name: 'Jane' } },
        ],
      },
    });
  });

  it('run as sent when the caller meets every requirement', async () => {
    const outcome = await run('{ book(id: "1") { price isbn code tier } }', withScopes('c', 'tiers'));
    expect(outcome.result).toEqual({ kind: 'allowed' });
    expect(outcome.response).toEqual({ data: { book: { price: 10, isbn: 'isbn-1', code: 'C-1', tier: 'FREE' } } });
  });
});

describe('@authenticated on a field', () => {
  it('is never fetched for an anonymous caller, who gets null and an error at every position', async () => {
    const outcome = await run('{ books { title price } }', anonymous);
    expect(textOf(outcome.result)).not.toContain('price');
    expect(outcome.fetched).not.toContain('Book.price');
    expect(outcome.response).toEqual({
      data: {
        books: [
          { title: 'Dune', price: null },
          { title: 'Emma', price: null },
        ],
      },
      errors: unauthorized('UNAUTHENTICATED', 'signing in', ['books', 0, 'price'], ['books', 1, 'price']),
    });
    expect(outcome.result.kind === 'filtered' && outcome.result.errors.map((error) => error.toJSON())).toEqual(
      unauthorized('UNAUTHENTICATED', 'signing in', ['books', 'price']),
    );
  });

  it('is answered for a signed-in caller', async () => {
    const outcome = await run('{ books { title price } }', signedIn);
    expect(outcome.result.kind).toBe('allowed');
    expect(outcome.response).toEqual({
      data: {
        books: [
          { title: 'Dune', price: 10 },
          { title: 'Emma', price: 7 },
        ],
      },
    });
  });

  it('keeps the response keys the client chose (aliases)', async () => {
    const outcome = await run('{ first: book(id: "1") { name: title cost: price } }', anonymous);
    expect(outcome.response).toEqual({
      data: { first: { name: 'Dune', cost: null } },
      errors: unauthorized('UNAUTHENTICATED', 'signing in', ['first', 'cost']),
    });
  });

  it('keeps an emptied selection set valid, and the placeholder out of the response', async () => {
    const outcome = await run('{ book(id: "2") { price } }', anonymous);
    expect(textOf(outcome.result)).toContain('__junction_typename: __typename');
    expect(outcome.response).toEqual({
      data: { book: { price: null } },
      errors: unauthorized('UNAUTHENTICATED', 'signing in', ['book', 'price']),
    });
  });
});

describe('@requiresScopes', () => {
  const isbnOfDune = '{ book(id: "1") { title isbn } }';

  it('is any one of the inner lists, all of whose scopes the caller holds: (a AND b) OR c', async () => {
    for (const scopes of [['c'], ['a', 'b'], ['b', 'a', 'z']]) {
      const outcome = await run(isbnOfDune, withScopes(...scopes));
      expect(outcome.result.kind).toBe('allowed');
      expect(outcome.response).toEqual({ data: { book: { title: 'Dune', isbn: 'isbn-1' } } });
    }
  });

  it('nulls a non-null field up to the nearest nullable parent, FORBIDDEN for a caller lacking scopes', async () => {
    for (const caller of [signedIn, withScopes('a'), withScopes('b')]) {
      const outcome = await run(isbnOfDune, caller);
      expect(outcome.fetched).not.toContain('Book.isbn');
      expect(outcome.response).toEqual({
        data: { book: null },
        errors: unauthorized('FORBIDDEN', 'the scopes "a" and "b", or the "c" scope', ['book', 'isbn']),
      });
    }
  });

  it('is UNAUTHENTICATED for an anonymous caller', async () => {
    const outcome = await run(isbnOfDune, anonymous);
    expect(outcome.response).toEqual({
      data: { book: null },
      errors: unauthorized('UNAUTHENTICATED', 'signing in with the scopes "a" and "b", or the "c" scope', ['book', 'isbn']),
    });
  });

  it('nulls the whole data when null propagates through non-null lists to a non-null root field', async () => {
    const outcome = await run('{ books { title isbn } }', signedIn);
    expect(outcome.response).toEqual({
      data: null,
      errors: unauthorized('FORBIDDEN', 'the scopes "a" and "b", or the "c" scope', ['books', 0, 'isbn']),
    });
  });

  it('nulls each list element a non-null protected field sits in, with its index in the path', async () => {
    const outcome = await run('{ books { title reviews { body stars } } }', withScopes('other'));
    expect(outcome.fetched).not.toContain('Review.stars');
    expect(outcome.response).toEqual({
      data: {
        books: [
          { title: 'Dune', reviews: [null, null] },
          { title: 'Emma', reviews: [null] },
        ],
      },
      errors: unauthorized(
        'FORBIDDEN',
        'the "read:stars" scope',
        ['books', 0, 'reviews', 0, 'stars'],
        ['books', 0, 'reviews', 1, 'stars'],
        ['books', 1, 'reviews', 0, 'stars'],
      ),
    });
  });

  it('protects fields of entities another subgraph resolves', async () => {
    const outcome = await run('{ books { author { name email } } }', signedIn);
    expect(outcome.fetched).not.toContain('Author.email');
    expect(outcome.response).toEqual({
      data: { books: [{ author: { name: 'Frank', email: null } }, { author: { name: 'Jane', email: null } }] },
      errors: unauthorized('FORBIDDEN', 'the "read:email" scope', ['books', 0, 'author', 'email'], ['books', 1, 'author', 'email']),
    });
    const allowed = await run('{ books { author { email } } }', withScopes('read:email'));
    expect(allowed.response).toEqual({
      data: { books: [{ author: { email: 'frank@example.com' } }, { author: { email: 'jane@example.com' } }] },
    });
  });
});
