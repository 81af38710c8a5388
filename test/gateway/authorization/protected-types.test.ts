import { beforeAll, describe, expect, it } from 'vitest';
import { anonymous, loadSupergraph, run, signedIn, textOf, unauthorized } from '../../support/authorization-harness.js';

/**
 * @authenticated and @requiresScopes on types, and on interface fields some
 * implementation protects: each scenario authorizes an operation, really
 * executes what is left over in-memory data (logging every field resolved, to
 * prove what was never fetched), and checks the exact response the client gets.
 */
beforeAll(loadSupergraph);

describe('directives on types', () => {
  it('protect every field returning a protected scalar or enum', async () => {
    const anon = await run('{ book(id: "2") { title code tier } }', anonymous);
    expect(textOf(anon.result)).not.toMatch(/code|tier/);
    expect(anon.response).toEqual({
      data: { book: { title: 'Emma', code: null, tier: null } },
      errors: [
        ...unauthorized('UNAUTHENTICATED', 'signing in', ['book', 'code']),
        ...unauthorized('UNAUTHENTICATED', 'signing in with the "tiers" scope', ['book', 'tier']),
      ],
    });
    const signed = await run('{ book(id: "2") { title code tier } }', signedIn);
    expect(signed.response).toEqual({
      data: { book: { title: 'Emma', code: 'C-2', tier: null } },
      errors: unauthorized('FORBIDDEN', 'the "tiers" scope', ['book', 'tier']),
    });
  });

  it('protect an object type reached through a union: its fragment is never fetched', async () => {
    const query = '{ search(term: "") { __typename ... on Book { title } ... on Manuscript { title draft } } }';
    const outcome = await run(query, anonymous);
    expect(textOf(outcome.result)).not.toMatch(/Manuscript|draft/);
    expect(outcome.fetched).not.toContain('Manuscript.draft');
    expect(outcome.fetched).not.toContain('Manuscript.title');
    // Manuscript.title is non-null, so the manuscript itself is null.
    expect(outcome.response).toEqual({
      data: { search: [{ __typename: 'Book', title: 'Dune' }, null] },
      errors: unauthorized('UNAUTHENTICATED', 'signing in', ['search', 1, 'title']),
    });
    const signed = await run(query, signedIn);
    expect(signed.result.kind).toBe('allowed');
    expect(signed.response).toEqual({
      data: {
        search: [
          { __typename: 'Book', title: 'Dune' },
          { __typename: 'Manuscript', title: 'Untitled', draft: 'tbd' },
        ],
      },
    });
  });

  it('protect the root fields returning them, with an exact answer and no execution when nothing is left', async () => {
    const outcome = await run('{ stats { books } }', anonymous);
    expect(outcome.result.kind).toBe('denied');
    expect(outcome.response).toEqual({ data: null, errors: unauthorized('UNAUTHENTICATED', 'signing in', ['stats']) });
  });
});

describe('interfaces', () => {
  it('answer an interface field only if every implementation allows it (which one answers is not known beforehand)', async () => {
    const outcome = await run('{ shelf { title price } }', anonymous);
    expect(outcome.fetched).not.toContain('Book.price');
    expect(outcome.fetched).not.toContain('Pamphlet.price');
    expect(outcome.response).toEqual({
      data: {
        shelf: [
          { title: 'Dune', price: null },
          { title: 'Leaflet', price: null },
        ],
      },
      errors: unauthorized('UNAUTHENTICATED', 'signing in', ['shelf', 0, 'price'], ['shelf', 1, 'price']),
    });
  });

  it('answer implementations the caller may see through inline fragments, by runtime type', async () => {
    const query = '{ shelf { title ... on Book { price } ... on Pamphlet { price } } }';
    const outcome = await run(query, anonymous);
    expect(outcome.fetched).toContain('Pamphlet.price');
    expect(outcome.fetched).not.toContain('Book.price');
    expect(outcome.response).toEqual({
      data: {
        shelf: [
          { title: 'Dune', price: null },
          { title: 'Leaflet', price: 0 },
        ],
      },
      errors: unauthorized('UNAUTHENTICATED', 'signing in', ['shelf', 0, 'price']),
    });
    const signed = await run(query, signedIn);
    expect(signed.response).toEqual({
      data: {
        shelf: [
          { title: 'Dune', price: 10 },
          { title: 'Leaflet', price: 0 },
        ],
      },
    });
  });

  it('keep a field also selected on an allowed implementation, and null only where it is missing', async () => {
    const outcome = await run('{ shelf { price ... on Pamphlet { price } } }', anonymous);
    expect(outcome.response).toEqual({
      data: { shelf: [{ price: null }, { price: 0 }] },
      errors: unauthorized('UNAUTHENTICATED', 'signing in', ['shelf', 0, 'price']),
    });
  });
});
