import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, isRefusal } from '#gateway/stages/limits/document-checker.js';
import { check, refused } from '../../support/limits.js';

/*
 * The gateway's pre-execution checks, on documents alone: how many root fields a query may select.
 */

describe('root fields', () => {
  it('refuses one root field too many, __typename aside', () => {
    const roots = Array.from({ length: 21 }, (_, i) => `r${i}`).join(' ');
    expect(refused(check(`{ __typename ${roots} }`))).toEqual([
      { message: 'The query selects 21 root fields; at most 20 are allowed.', code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxRootFields' },
    ]);
  });

  it('counts root fields selected through fragments, once per spread', () => {
    const query = `{ ...Eight ... on Query { ...Eight } r { ...Eight } } fragment Eight on Query { ${Array.from({ length: 8 }, (_, i) => `f${i}`).join(' ')} __typename }`;
    // 8 spread at the root, 8 more through the inline fragment, and r; the third spread is under r.
    expect(isRefusal(check(query))).toBe(false);
    expect(refused(check(query, null, { ...DEFAULT_LIMITS, maxRootFields: 16 }))).toEqual([
      { message: 'The query selects 17 root fields; at most 16 are allowed.', code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxRootFields' },
    ]);
  });
});
