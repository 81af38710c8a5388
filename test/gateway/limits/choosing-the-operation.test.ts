import { describe, expect, it } from 'vitest';
import { check, nested, passed, refused } from '../../support/limits.js';

/*
 * The gateway's pre-execution checks, on documents alone: which operation of a document runs,
 * and documents whose operations or fragments cannot be told apart.
 */

describe('choosing the operation', () => {
  const TWO = 'query First { a } query Second { b { c { d } } }';

  it('runs the operation named', () => {
    expect(passed(check(TWO, 'Second')).operation.name?.value).toBe('Second');
  });

  it('refuses several operations without a name', () => {
    const expected = [
      { message: 'Must provide operation name if query contains multiple operations.', code: 'OPERATION_RESOLUTION_FAILURE' },
    ];
    expect(refused(check('{ a } { b }'))).toEqual(expected);
    expect(refused(check(TWO, null))).toEqual(expected);
  });

  it('refuses an unknown operation name, quoting at most 100 characters of it', () => {
    expect(refused(check(TWO, 'Third'))).toEqual([
      { message: 'Unknown operation named "Third".', code: 'OPERATION_RESOLUTION_FAILURE' },
    ]);
    expect(refused(check('{ a }', 'Named'))).toEqual([
      { message: 'Unknown operation named "Named".', code: 'OPERATION_RESOLUTION_FAILURE' },
    ]);
    // An empty name, as some clients send for an anonymous operation, is no name.
    expect(passed(check('{ a }', '')).operation.name).toBeUndefined();
    const [error] = refused(check(TWO, 'x'.repeat(10_000)));
    expect(error?.message).toBe(`Unknown operation named "${'x'.repeat(100)}…".`);
  });

  it('refuses a document with no operation', () => {
    expect(refused(check('type Query { a: Int }'))).toEqual([
      { message: 'The document contains no operation.', code: 'BAD_REQUEST' },
    ]);
  });

  it('refuses two operations or two fragments with one name', () => {
    expect(refused(check('query Q { a } query Q { b }', 'Q'))).toEqual([
      { message: 'There can be only one operation named "Q".', code: 'GRAPHQL_VALIDATION_FAILED' },
    ]);
    expect(refused(check('{ ...F } fragment F on Query { a } fragment F on Query { b }'))).toEqual([
      { message: 'There can be only one fragment named "F".', code: 'GRAPHQL_VALIDATION_FAILED' },
    ]);
  });

  it('holds the operation limits to the operation asked for', () => {
    const query = `query Deep ${nested(16)} query Shallow { a }`;
    expect(passed(check(query, 'Shallow')).operation.name?.value).toBe('Shallow');
    expect(refused(check(query, 'Deep'))).toEqual([
      { message: 'The query is 16 levels deep; at most 15 are allowed.', code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxDepth' },
    ]);
  });
});
