import { describe, expect, it } from 'vitest';
import { check, fragmentBomb, refused } from '../../support/limits.js';

/*
 * The gateway's pre-execution checks, on documents alone: fragment bombs, cycles and strays.
 * Attacks are checked for being refused, not for how fast; vitest's timeout is
 * the backstop for a check that would expand a fragment bomb or recurse forever.
 */

describe('fragments', () => {
  it('refuses a fragment bomb without expanding it', () => {
    // 2^30 aliased root fields once expanded, from 31 short fragments; counts stop at a billion.
    const expected = [
      { message: 'The query uses more than 1000000000 aliases; at most 30 are allowed.', limit: 'maxAliases' },
      { message: 'The query selects more than 1000000000 root fields; at most 20 are allowed.', limit: 'maxRootFields' },
      {
        message:
          'The document makes more than 1000000000 selections (fields and fragments) once its fragments are expanded; at most 2000 are allowed.',
        limit: 'maxFields',
      },
    ].map((error) => ({ ...error, code: 'GRAPHQL_VALIDATION_FAILED' }));
    expect(refused(check(fragmentBomb(30)))).toEqual(expected);
    // 2^1400 would overflow a number: as deep as the token limit allows.
    expect(refused(check(fragmentBomb(1_400)))).toEqual(expected);
  });

  it('refuses a fragment that spreads itself, directly or through others', () => {
    expect(refused(check('{ ...A } fragment A on Query { a ...A }'))).toEqual([
      { message: 'Cannot spread fragment "A" within itself.', code: 'GRAPHQL_VALIDATION_FAILED' },
    ]);
    expect(refused(check('{ ...A } fragment A on Query { a ...B } fragment B on Query { b { ...C } } fragment C on T { ...A }'))).toEqual([
      { message: 'Cannot spread fragment "A" within itself via "B", "C".', code: 'GRAPHQL_VALIDATION_FAILED' },
    ]);
  });

  it('refuses a cycle through a thousand fragments, naming a few', () => {
    const links = Array.from({ length: 1_500 }, (_, i) => `fragment L${i} on T { a ...L${(i + 1) % 1_500} }`);
    expect(refused(check(`{ t { ...L0 } }\n${links.join('\n')}`))).toEqual([
      {
        message: 'Cannot spread fragment "L0" within itself via "L1", "L2", "L3", "L4", "L5" and 1494 more.',
        code: 'GRAPHQL_VALIDATION_FAILED',
      },
    ]);
  });

  it('checks a wide web of shared fragments once per fragment', () => {
    // Each of 600 fragments spreads the next five: a DAG with 3,000 edges and astronomically many paths.
    const web = Array.from({ length: 600 }, (_, i) => {
      const next = [1, 2, 3, 4, 5].map((step) => i + step).filter((j) => j < 600);
      return `fragment W${i} on T { a${next.map((j) => ` ...W${j}`).join('')} }`;
    });
    const errors = refused(check(`{ t { ...W0 } }\n${web.join('\n')}`));
    expect(errors.map((error) => error.limit)).toEqual(['maxFields']);
  });

  it('refuses a spread of an unknown fragment', () => {
    expect(refused(check('{ a { ...Missing } }'))).toEqual([
      { message: 'Unknown fragment "Missing".', code: 'GRAPHQL_VALIDATION_FAILED' },
    ]);
  });

  it('refuses a fragment no operation uses', () => {
    expect(refused(check('{ a } fragment Spare on Query { a a a }'))).toEqual([
      { message: 'Fragment "Spare" is never used.', code: 'GRAPHQL_VALIDATION_FAILED' },
    ]);
  });
});
