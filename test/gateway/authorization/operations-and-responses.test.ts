import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_AUTHORIZATION_ERRORS } from '#gateway/stages/authorization/authorization.js';
import {
  anonymous,
  dune,
  loadSupergraph,
  onAddBook,
  rootValue,
  run,
  signedIn,
  textOf,
  unauthorized,
  withScopes,
} from '../../support/authorization-harness.js';

/**
 * Operations nothing is left of (denied without executing, mutations never
 * run), and responses mixing authorization errors with execution errors.
 */

/** What the mutations did, to prove a denied one never ran. */
let added: string[] = [];

beforeAll(async () => {
  await loadSupergraph();
  onAddBook((title) => added.push(title));
});

describe('whole operations', () => {
  it('are not executed when every root field is unauthorized', async () => {
    const outcome = await run('{ auditLog stats { books } }', anonymous);
    expect(outcome.result.kind).toBe('denied');
    expect(outcome.fetched).toEqual([]);
    // stats is non-null: the whole data goes.
    expect(outcome.response).toEqual({
      data: null,
      errors: [
        ...unauthorized('UNAUTHENTICATED', 'signing in with the "audit" scope', ['auditLog']),
        ...unauthorized('UNAUTHENTICATED', 'signing in', ['stats']),
      ],
    });
    // Callers cache results: the shared answer cannot be changed by one request.
    expect(Object.isFrozen(outcome.response.errors?.[0])).toBe(true);
    const nullable = await run('{ log: auditLog }', signedIn);
    expect(nullable.response).toEqual({ data: { log: null }, errors: unauthorized('FORBIDDEN', 'the "audit" scope', ['log']) });
  });

  it('run the mutation fields the caller may run, and never the others', async () => {
    added = [];
    const denied = await run('mutation { addBook(title: "Persuasion") { id title } }', signedIn);
    expect(denied.result.kind).toBe('denied');
    expect(added).toEqual([]);
    expect(denied.response).toEqual({ data: null, errors: unauthorized('FORBIDDEN', 'the "write:books" scope', ['addBook']) });

    const mixed = await run('mutation { ping addBook(title: "Persuasion") { id } }', signedIn);
    expect(textOf(mixed.result)).not.toContain('addBook');
    expect(added).toEqual([]);
    // addBook is non-null, so its null takes the whole data with it, as in execution.
    expect(mixed.response).toEqual({ data: null, errors: unauthorized('FORBIDDEN', 'the "write:books" scope', ['addBook']) });

    const allowed = await run('mutation { addBook(title: "Persuasion") { id title } }', withScopes('write:books'));
    expect(allowed.result.kind).toBe('allowed');
    expect(added).toEqual(['Persuasion']);
    expect(allowed.response).toEqual({ data: { addBook: { id: '3', title: 'Persuasion' } } });
  });
});

describe('responses', () => {
  it('keep execution errors next to authorization errors', async () => {
    const data = { ...rootValue, books: [{ ...dune, reviews: [{ body: null, stars: 1 }] }] };
    const outcome = await run('{ books { price reviews { body } } }', anonymous, { data });
    expect(outcome.response).toEqual({
      data: { books: [{ price: null, reviews: [null] }] },
      errors: [
        {
          message: 'Cannot return null for non-nullable field Review.body.',
          locations: [{ line: 1, column: 27 }],
          path: ['books', 0, 'reviews', 0, 'body'],
        },
        ...unauthorized('UNAUTHENTICATED', 'signing in', ['books', 0, 'price']),
      ],
    });
  });

  it(`cap authorization errors at ${MAX_AUTHORIZATION_ERRORS} for huge lists, nulling every position still`, async () => {
    const books = Array.from({ length: 250 }, (_, index) => ({ ...dune, id: String(index) }));
    const outcome = await run('{ books { id price } }', anonymous, { data: { ...rootValue, books } });
    const answered = outcome.response.data?.books as { price: unknown }[];
    expect(answered).toHaveLength(250);
    expect(answered.every((book) => book.price === null)).toBe(true);
    expect(outcome.response.errors).toHaveLength(MAX_AUTHORIZATION_ERRORS);
  });
});
