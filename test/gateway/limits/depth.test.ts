import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, isRefusal } from '#gateway/stages/limits/document-checker.js';
import { check, nested, refused } from '../../support/limits.js';

/*
 * The gateway's pre-execution checks, on documents alone: how deep a query may go.
 * Attacks are checked for being refused, not for how fast; vitest's timeout is
 * the backstop for a check that would expand a fragment bomb or recurse forever.
 */

describe('depth', () => {
  it('refuses a query one level too deep', () => {
    expect(refused(check(nested(16)))).toEqual([
      { message: 'The query is 16 levels deep; at most 15 are allowed.', code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxDepth' },
    ]);
  });

  it('counts the levels fragments add, but not the fragments themselves', () => {
    // a b, then c d e in Middle, then f g h i in Deepest: 9 levels; spreads and inline fragments add none.
    const query = `
      { a { b { ...Middle } } }
      fragment Middle on T { ... on T { c { d { e { ...Deepest } } } } }
      fragment Deepest on T { f { ... { g { h { i } } } } }
    `;
    expect(isRefusal(check(query, null, { ...DEFAULT_LIMITS, maxDepth: 9 }))).toBe(false);
    expect(refused(check(query, null, { ...DEFAULT_LIMITS, maxDepth: 8 }))).toEqual([
      { message: 'The query is 9 levels deep; at most 8 are allowed.', code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxDepth' },
    ]);
  });

  it('follows a chain of hundreds of fragments without exhausting the stack', () => {
    const chain = (link: (next: string) => string) =>
      Array.from({ length: 900 }, (_, i) => `fragment L${i} on T { ${link(`...L${i + 1}`)} }`).join('\n');
    const flat = `{ a { ...L0 } }\n${chain((next) => next)}\nfragment L900 on T { b { c } }`;
    expect(isRefusal(check(flat))).toBe(false);
    const deep = `{ a { ...L0 } }\n${chain((next) => `x { ${next} }`)}\nfragment L900 on T { b }`;
    expect(refused(check(deep))).toEqual([
      { message: 'The query is 902 levels deep; at most 15 are allowed.', code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxDepth' },
    ]);
  });
});
