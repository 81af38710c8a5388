import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { BENCHMARK_QUERY } from '../support/oracle.js';
import {
  checkDocument,
  createDocumentChecker,
  DEFAULT_LIMITS,
  isRefusal,
  type CheckedDocument,
  type Limits,
  type Refusal,
} from '../../gateway/src/limits.js';

/*
 * The gateway's pre-execution checks, on documents alone: no schema, no server.
 * Attacks are checked for being refused, not for how fast; vitest's timeout is
 * the backstop for a check that would expand a fragment bomb or recurse forever.
 */


function check(query: string, operationName?: string | null, limits: Limits = DEFAULT_LIMITS): CheckedDocument | Refusal {
  return checkDocument(query, operationName, limits);
}

function passed(result: CheckedDocument | Refusal): CheckedDocument {
  if (isRefusal(result)) throw new Error(`refused: ${result.errors.map((error) => error.message).join(' | ')}`);
  return result;
}

/** The refusal's errors as plain data, for exact assertions. */
function refused(result: CheckedDocument | Refusal): { message: string; code: unknown; limit?: unknown }[] {
  if (!isRefusal(result)) throw new Error(`passed: ${result.operation.name?.value ?? 'anonymous operation'}`);
  expect(result.status).toBe(400);
  return result.errors.map(({ message, extensions }) => ({
    message,
    code: extensions.code,
    ...(extensions.limit === undefined ? {} : { limit: extensions.limit }),
  }));
}

/** `{ a { a { ... b } } }`: `levels` levels of fields. */
const nested = (levels: number): string => '{ ' + 'a { '.repeat(levels - 1) + 'b' + ' }'.repeat(levels - 1) + ' }';

/** `fragment F0 ... { ...F1 ...F1 }`, ..., each level doubling what the one above selects. */
function fragmentBomb(levels: number): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  return `{ ...F0 }\n${fragments.join('\n')}\nfragment F${levels} on Query { x: a }`;
}

describe('documents that pass', () => {
  it('passes the benchmark query, naming its operation', () => {
    const checked = passed(check(BENCHMARK_QUERY, 'TestQuery'));
    expect(checked.operation.name?.value).toBe('TestQuery');
    expect(checked.introspection).toBe(false);
    // Its only operation is chosen without a name, too.
    expect(passed(check(BENCHMARK_QUERY)).operation.name?.value).toBe('TestQuery');
  });

  it("passes GraphiQL's introspection query, 15 levels deep, and flags it as introspection", () => {
    const full = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    for (const query of [getIntrospectionQuery(), full]) {
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
