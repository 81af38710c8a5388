import { describe, expect, it } from 'vitest';
import { check, refused } from '../../support/limits.js';

/*
 * The gateway's pre-execution checks, on documents alone: how many aliases a query may use.
 */

describe('aliases', () => {
  const aliased = (count: number) => Array.from({ length: count }, (_, i) => `a${i}: upc`).join(' ');

  it('refuses one alias too many', () => {
    expect(refused(check(`{ products { ${aliased(31)} } }`))).toEqual([
      { message: 'The query uses 31 aliases; at most 30 are allowed.', code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxAliases' },
    ]);
  });

  it("counts a fragment's aliases once per spread", () => {
    const query = `{ a { ...Ten } b { ...Ten } c { ...Ten } d { ...Ten } } fragment Ten on T { ${aliased(10)} }`;
    expect(refused(check(query))).toEqual([
      { message: 'The query uses 40 aliases; at most 30 are allowed.', code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxAliases' },
    ]);
  });
});
