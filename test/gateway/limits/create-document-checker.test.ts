import { describe, expect, it } from 'vitest';
import { createDocumentChecker, DEFAULT_LIMITS, isRefusal } from '#gateway/stages/limits/document-checker.js';
import { check, fragmentBomb, nested, passed, refused } from '../../support/limits.js';
import { BENCHMARK_QUERY } from '../../support/oracle.js';

/*
 * createDocumentChecker: the gateway's pre-execution checks with parsed documents cached,
 * answering as checkDocument does.
 */

describe('createDocumentChecker', () => {
  it('parses a query text once, whichever operation is asked for', () => {
    const checkCached = createDocumentChecker(DEFAULT_LIMITS);
    const query = 'query A { a } query B { b }';
    const a = passed(checkCached(query, 'A'));
    const b = passed(checkCached(query, 'B'));
    expect(a.document).toBe(b.document);
    expect(b.operation.name?.value).toBe('B');
    expect(refused(checkCached(query))).toEqual([
      { message: 'Must provide operation name if query contains multiple operations.', code: 'OPERATION_RESOLUTION_FAILURE' },
    ]);
  });

  it('answers as checkDocument does, refusals included', () => {
    const checkCached = createDocumentChecker(DEFAULT_LIMITS, { cacheSize: 2 });
    for (const query of [BENCHMARK_QUERY, nested(16), fragmentBomb(30), '{ a', BENCHMARK_QUERY, nested(16)]) {
      const cached = checkCached(query);
      const direct = check(query);
      expect(isRefusal(cached)).toBe(isRefusal(direct));
      if (isRefusal(cached) && isRefusal(direct)) expect(refused(cached)).toEqual(refused(direct));
    }
  });
});
