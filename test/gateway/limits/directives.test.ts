import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, isRefusal } from '#gateway/stages/limits/document-checker.js';
import { check, refused } from '../../support/limits.js';

/*
 * The gateway's pre-execution checks, on documents alone: how many directives a query may apply.
 */

describe('directives', () => {
  it('refuses a directive repeated a thousand times', () => {
    expect(refused(check(`{ a ${'@skip(if: false) '.repeat(1_000)}}`))).toEqual([
      { message: 'The query applies 1000 directives; at most 50 are allowed.', code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxDirectives' },
    ]);
  });

  it('counts directives on the operation, its variables, inline fragments, spreads and fragments, per spread', () => {
    const query = `
      query Q($v: Int @a) @b { x @c ... @d { y } ...F @e ...F }
      fragment F on Query @f { z @g }
    `;
    // 5 in the operation, then 2 (@f, @g) per spread of F: 9.
    expect(isRefusal(check(query, null, { ...DEFAULT_LIMITS, maxDirectives: 9 }))).toBe(false);
    expect(refused(check(query, null, { ...DEFAULT_LIMITS, maxDirectives: 8 }))).toEqual([
      { message: 'The query applies 9 directives; at most 8 are allowed.', code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxDirectives' },
    ]);
  });
});
