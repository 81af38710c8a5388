import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, isRefusal } from '#gateway/stages/limits/document-checker.js';
import { check, refused } from '../../support/limits.js';

/*
 * The gateway's pre-execution checks, on documents alone: fields repeated, merged or spread
 * until validating them would cost more than running them.
 * Attacks are checked for being refused, not for how fast; vitest's timeout is
 * the backstop for a check that would expand a fragment bomb or recurse forever.
 */

describe('field bombs', () => {
  const PAIRS_REFUSAL = (pairs: number) => ({
    message: `The document has ${pairs} pairs of fields with the same response name, or of fragments, at the same place; at most 2000 are allowed.`,
    code: 'GRAPHQL_VALIDATION_FAILED',
    limit: 'maxFieldPairs',
  });

  it('refuses one field repeated up to the token limit', () => {
    const errors = refused(check(`{ products { ${'upc '.repeat(14_990)}} }`));
    expect(errors).toEqual([
      {
        message: 'The document makes 14991 selections (fields and fragments) once its fragments are expanded; at most 2000 are allowed.',
        code: 'GRAPHQL_VALIDATION_FAILED',
        limit: 'maxFields',
      },
    ]);
  });

  it('refuses a field repeated within the field limit, counting pairs at the same place', () => {
    // 64 `upc`s at one place are 2016 pairs; 63 are 1953.
    expect(refused(check(`{ products { ${'upc '.repeat(64)}} }`))).toEqual([PAIRS_REFUSAL(2016)]);
    expect(isRefusal(check(`{ products { ${'upc '.repeat(63)}} }`))).toBe(false);
    // Limits that leave the pairs out get the default.
    const { maxFieldPairs: _default, ...withoutPairs } = DEFAULT_LIMITS;
    expect(refused(check(`{ products { ${'upc '.repeat(64)}} }`, null, withoutPairs))).toEqual([PAIRS_REFUSAL(2016)]);
  });

  it('counts pairs that only meet once fields merge', () => {
    // 8 `products` hold 8 `reviews` each: 28 pairs of products and 64 × 63 / 2 = 2016 of reviews.
    const query = `{ ${`products { ${'reviews { id } '.repeat(8)}} `.repeat(8)}}`;
    expect(refused(check(query))).toEqual([PAIRS_REFUSAL(28 + 2016 + 2016)]);
  });

  it('counts distinct fragments spread at the same place as pairs', () => {
    const fragments = Array.from({ length: 70 }, (_, i) => `fragment F${i} on Product { f${i} }`);
    const spreads = Array.from({ length: 70 }, (_, i) => `...F${i}`).join(' ');
    expect(refused(check(`{ products { ${spreads} } }\n${fragments.join('\n')}`))).toEqual([PAIRS_REFUSAL((70 * 69) / 2)]);
  });

  it('refuses a bomb in an operation other than the one asked for, since validation reads them all', () => {
    const query = `query Small { a } query Bomb { products { ${'upc '.repeat(100)}} }`;
    expect(refused(check(query, 'Small'))).toEqual([PAIRS_REFUSAL((100 * 99) / 2)]);
  });

  it('counts fields, spreads and inline fragments once per spread, over the whole document', () => {
    const query = 'query A { a { ...Four } b { ... on T { ...Four } } } query B { c { ...Four } } fragment Four on T { w x y z }';
    // A: a, b, the inline fragment, 2 spreads and 2 × 4 fields; B: c, a spread and 4 fields.
    expect(isRefusal(check(query, 'A', { ...DEFAULT_LIMITS, maxFields: 19 }))).toBe(false);
    expect(refused(check(query, 'B', { ...DEFAULT_LIMITS, maxFields: 18 }))).toEqual([
      {
        message: 'The document makes 19 selections (fields and fragments) once its fragments are expanded; at most 18 are allowed.',
        code: 'GRAPHQL_VALIDATION_FAILED',
        limit: 'maxFields',
      },
    ]);
  });

  it('refuses fragments spread through thousands of others, many times over', () => {
    // 2 selections per operation, each through a chain of 800 spreads: 800 operations make 640,000 selections.
    const operations = Array.from({ length: 800 }, (_, i) => `query Q${i} { t { ...C0 } }`);
    const chain = Array.from({ length: 800 }, (_, i) => `fragment C${i} on T { ...C${i + 1} }`);
    const errors = refused(check(`${operations.join('\n')}\n${chain.join('\n')}\nfragment C800 on T { a }`, 'Q0'));
    expect(errors.map((error) => error.limit)).toEqual(['maxFields']);
  });
});
