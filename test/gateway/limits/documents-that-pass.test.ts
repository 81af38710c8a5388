import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, isRefusal } from '#gateway/stages/limits/document-checker.js';
import { GRAPHIQL_INTROSPECTION_QUERY } from '../../support/graphql.js';
import { check, nested, passed, refused } from '../../support/limits.js';
import { BENCHMARK_QUERY } from '../../support/oracle.js';

/*
 * The gateway's pre-execution checks, on documents alone (no schema, no server):
 * what they let through, from the benchmark query and GraphiQL's introspection
 * query to every limit reached exactly.
 */

describe('documents that pass', () => {
  it('passes the benchmark query, naming its operation', () => {
    const checked = passed(check(BENCHMARK_QUERY, 'TestQuery'));
    expect(checked.operation.name?.value).toBe('TestQuery');
    expect(checked.introspection).toBe(false);
    // Its only operation is chosen without a name, too.
    expect(passed(check(BENCHMARK_QUERY)).operation.name?.value).toBe('TestQuery');
  });

  it("passes GraphiQL's introspection query, 15 levels deep, and flags it as introspection", () => {
    for (const query of [getIntrospectionQuery(), GRAPHIQL_INTROSPECTION_QUERY]) {
      const checked = passed(check(query, 'IntrospectionQuery'));
      expect(checked.introspection).toBe(true);
      // It sits exactly at the default depth: one level less refuses it.
      expect(refused(check(query, 'IntrospectionQuery', { ...DEFAULT_LIMITS, maxDepth: 14 }))).toEqual([
        {
          message: 'The query is 15 levels deep; at most 14 are allowed.',
          code: 'GRAPHQL_VALIDATION_FAILED',
          limit: 'maxDepth',
        },
      ]);
    }
  });

  it('flags __type and __schema wherever they are reached, but not __typename', () => {
    expect(passed(check('{ __typename products { __typename } }')).introspection).toBe(false);
    expect(passed(check('{ t: __type(name: "Product") { name } }')).introspection).toBe(true);
    expect(passed(check('{ ...Meta } fragment Meta on Query { ... on Query { __schema { queryType { name } } } }')).introspection).toBe(true);
    // Another operation's introspection is not this one's.
    expect(passed(check('query A { __schema { types { name } } } query B { products { upc } }', 'B')).introspection).toBe(false);
  });

  it('accepts every limit exactly reached', () => {
    const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: upc`).join(' ');
    const roots = Array.from({ length: 20 }, (_, i) => `r${i}`).join(' ');
    expect(isRefusal(check(`{ products { ${aliases} } }`))).toBe(false);
    expect(isRefusal(check(`{ ${roots} __typename }`))).toBe(false);
    expect(isRefusal(check(nested(15)))).toBe(false);
    expect(isRefusal(check(`{ a ${'@skip(if: false) '.repeat(50)}}`))).toBe(false);
  });
});
