import { composeServices } from '@apollo/composition';
import { parse, printSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorizationPolicy, authorize } from '#gateway/stages/authorization/authorization.js';
import {
  anonymous,
  compose,
  loadSupergraph,
  policy,
  run,
  unauthorized,
  withScopes,
} from '../../support/authorization-harness.js';

/**
 * What a composed supergraph's @authenticated and @requiresScopes require,
 * read under whatever names the subgraphs' @links give the directives, and
 * enforced under those names.
 */
beforeAll(loadSupergraph);

describe('the policy', () => {
  it('reads what each field requires from the directives, under the names the @links give them', async () => {
    const renamed = authorizationPolicy(await compose('renamed'));
    expect(Object.fromEntries(renamed.requirements.get('Note') ?? [])).toEqual({
      body: { authenticated: true, scopes: [] },
      owner: { authenticated: false, scopes: [[['read:owner']]] },
    });
    expect(policy.requirements.get('Book')?.get('isbn')).toEqual({ authenticated: false, scopes: [[['a', 'b'], ['c']]] });
    // A protected return type protects the field: scalar, enum, object.
    expect(policy.requirements.get('Book')?.get('code')).toEqual({ authenticated: true, scopes: [] });
    expect(policy.requirements.get('Book')?.get('tier')).toEqual({ authenticated: false, scopes: [[['tiers']]] });
    expect(policy.requirements.get('Manuscript')?.get('title')).toEqual({ authenticated: true, scopes: [] });
    // An interface field requires what any implementation requires.
    expect(policy.requirements.get('Item')?.get('price')).toEqual({ authenticated: true, scopes: [] });
    expect(policy.requirements.get('Item')?.get('title')).toBeUndefined();
  });

  it('serves the API schema, without the directives', () => {
    expect(printSchema(policy.apiSchema)).not.toMatch(/authenticated|requiresScopes|join__/);
  });

  it('requires nothing of a supergraph without the directives', () => {
    const composed = composeServices([
      {
        name: 'plain',
        url: 'http://plain.invalid/graphql',
        typeDefs: parse(`
          extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
          type Query { hello: String }
        `),
      },
    ]);
    if (composed.errors) throw composed.errors[0];
    const plain = authorizationPolicy(composed.supergraphSdl);
    expect(plain.requirements.size).toBe(0);
    expect(authorize(plain, parse('{ _unused: __typename }'), undefined, anonymous)).toEqual({ kind: 'allowed' });
  });
});

describe('renamed directives', () => {
  it('are enforced under the names the subgraph imported them as', async () => {
    const renamed = authorizationPolicy(await compose('renamed'));
    const data = { notes: [{ id: 'n1', title: 'Todo', body: 'milk', owner: 'ada' }] };
    const anon = await run('{ notes { title body owner } }', anonymous, { on: renamed, data });
    expect(anon.response).toEqual({
      data: { notes: [{ title: 'Todo', body: null, owner: null }] },
      errors: [
        ...unauthorized('UNAUTHENTICATED', 'signing in', ['notes', 0, 'body']),
        ...unauthorized('UNAUTHENTICATED', 'signing in with the "read:owner" scope', ['notes', 0, 'owner']),
      ],
    });
    const owner = await run('{ notes { title body owner } }', withScopes('read:owner'), { on: renamed, data });
    expect(owner.response).toEqual({ data: { notes: [{ title: 'Todo', body: 'milk', owner: 'ada' }] } });
  });
});
