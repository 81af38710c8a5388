import { describe, expect, it } from 'vitest';
import { isRefusal } from '#gateway/stages/limits/document-checker.js';
import { check, nested, refused } from '../../support/limits.js';

/*
 * The gateway's pre-execution checks, on documents alone: documents refused while parsing.
 * Attacks are checked for being refused, not for how fast; vitest's timeout is
 * the backstop for a check that would expand a fragment bomb or recurse forever.
 */

describe('parsing', () => {
  it('refuses a document over the token limit before building it', () => {
    const query = `{ ${'a '.repeat(15_000)}}`;
    const [error, ...others] = refused(check(query));
    expect(others).toEqual([]);
    expect(error?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(error?.message).toMatch(/^Syntax Error: Document contains more tha[nt] 15000 tokens\. Parsing aborted\.$/);
  });

  it('refuses a syntax error with its location', () => {
    const result = check('{\n  products {\n    upc\n}');
    expect(refused(result)).toEqual([{ message: 'Syntax Error: Expected Name, found <EOF>.', code: 'GRAPHQL_PARSE_FAILED' }]);
    expect(isRefusal(result) && result.errors[0]?.locations).toEqual([{ line: 4, column: 2 }]);
  });

  it('refuses a document nested thousands deep without crashing', () => {
    // graphql-js's recursive parser runs out of stack first; either refusal will do.
    const [error] = refused(check(nested(4_000)));
    expect(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']).toContain(error?.code);
  });
});
