import { describe, expect, it } from 'vitest';
import { UNAUTHORIZED_MESSAGE, unauthorizedMessage, type Requirement } from '#gateway/stages/authorization/authorization.js';

/**
 * What an unauthorized field's error says: Apollo Router's words first (clients
 * match on them), then what the caller lacks, so whoever reads it knows which
 * token to ask for.
 */
const needs = (scopes: string[][][], authenticated = false): Requirement => ({ authenticated, scopes });
const holding = (...scopes: string[]) => new Set(scopes);

describe('the message of an unauthorized field', () => {
  it('starts with what Apollo Router says', () => {
    expect(UNAUTHORIZED_MESSAGE).toBe('Unauthorized field or type');
    expect(unauthorizedMessage(needs([[['read:email']]]), true, holding())).toMatch(/^Unauthorized field or type: /);
  });

  it('names the one scope a signed-in caller lacks', () => {
    expect(unauthorizedMessage(needs([[['read:email']]]), true, holding('other'))).toBe(
      'Unauthorized field or type: needs the "read:email" scope.',
    );
  });

  it('names the alternatives of @requiresScopes(scopes: [["a", "b"], ["c"]])', () => {
    expect(unauthorizedMessage(needs([[['a', 'b'], ['c']]]), true, holding('a'))).toBe(
      'Unauthorized field or type: needs the scopes "a" and "b", or the "c" scope.',
    );
    expect(unauthorizedMessage(needs([[['a'], ['b'], ['c']]]), true, holding())).toBe(
      'Unauthorized field or type: needs the "a", "b" or "c" scope.',
    );
    expect(unauthorizedMessage(needs([[['a', 'b', 'c']]]), true, holding())).toBe(
      'Unauthorized field or type: needs the scopes "a", "b" and "c".',
    );
  });

  it('names only the clauses the caller misses when a field and its type both require scopes', () => {
    const both = needs([[['read:books']], [['tiers'], ['admin']]]);
    expect(unauthorizedMessage(both, true, holding())).toBe(
      'Unauthorized field or type: needs the "read:books" scope and the "tiers" or "admin" scope.',
    );
    expect(unauthorizedMessage(both, true, holding('admin'))).toBe('Unauthorized field or type: needs the "read:books" scope.');
    expect(unauthorizedMessage(needs([[['a', 'b'], ['c']], [['d']]]), true, holding())).toBe(
      'Unauthorized field or type: needs the scopes "a" and "b", or the "c" scope; and the "d" scope.',
    );
  });

  it('tells an anonymous caller to sign in, and with which scope', () => {
    expect(unauthorizedMessage(needs([], true), false, holding())).toBe('Unauthorized field or type: needs signing in.');
    expect(unauthorizedMessage(needs([[['audit']]]), false, holding())).toBe(
      'Unauthorized field or type: needs signing in with the "audit" scope.',
    );
    expect(unauthorizedMessage(needs([[['a', 'b'], ['c']]], true), false, holding())).toBe(
      'Unauthorized field or type: needs signing in with the scopes "a" and "b", or the "c" scope.',
    );
  });
});
