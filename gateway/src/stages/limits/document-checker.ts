import {
  GraphQLError,
  Kind,
  parse,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import { ErrorCode } from '#lib/errors.js';
import { add, countFieldPairs, expand, SATURATED, scan, summarizeFragments, type Summary } from './document-summary.js';
import { invalid, parseFailure, refuse, shorten, unresolved, type Refusal } from './refusals.js';

export type { Refusal };

/*
 * The gateway's checks on a request's document, before the executor
 * (executor.ts) validates and plans it. A few kilobytes can otherwise cost far more than
 * they look: a fragment bomb expands to billions of fields, a field repeated
 * thousands of times sends graphql-js validation to its own ~100 ms budget,
 * deep nesting multiplies what the query planner and subgraphs do. These
 * checks refuse such documents in time linear in their size, from the counts
 * document-summary.ts makes; refusals.ts words the refusals.
 */

export type Limits = {
  /** Lexical tokens in the document, enforced by the parser itself. */
  maxTokens: number;
  /** Levels of nested fields in the operation: `{ a { b } }` is 2. */
  maxDepth: number;
  /** Aliased fields in the operation. */
  maxAliases: number;
  /** Fields at the operation's root, `__typename` aside. */
  maxRootFields: number;
  /** Directive applications in the operation, its variables and its fragments. */
  maxDirectives: number;
  /**
   * Selections in the whole document, fragments expanded: fields, and also
   * fragment spreads and inline fragments, so that chains of spreads count
   * too. The whole document, as graphql-js validates every operation in it,
   * not only the one asked for.
   */
  maxFields: number;
  /**
   * Pairs of selections in the whole document that land at the same place in
   * a result: fields sharing a response name (3 pairs in `{ a a a }`) and
   * distinct fragments spread together. graphql-js's OverlappingFieldsCanBeMerged
   * rule compares each such pair, so a document repeating one field or
   * spreading hundreds of fragments in one place costs it up to its own
   * budget (~100 ms) instead of a few milliseconds. Defaults to
   * `DEFAULT_LIMITS.maxFieldPairs`.
   */
  maxFieldPairs?: number;
};

/**
 * GraphiQL's introspection query (graphql-js's `getIntrospectionQuery()`) is
 * exactly 15 levels deep, with 230 selections once expanded and no pairs;
 * Junction's benchmark query is 8 deep with 67 selections. Measured with
 * graphql 16.15 on Junction's supergraph: a 1,200-field query validates in
 * ~3 ms, the costliest documents within 2,000 pairs (repeated fields with
 * arguments, dozens of fragments spread together) in 1-3 ms, where unchecked
 * ones run into graphql-js's own budget at 80-270 ms.
 */
export const DEFAULT_LIMITS: Limits = {
  maxTokens: 15_000,
  maxDepth: 15,
  maxAliases: 30,
  maxRootFields: 20,
  maxDirectives: 50,
  maxFields: 2_000,
  maxFieldPairs: 2_000,
};

/** A document that passed: the parsed document and the operation to run. */
export type CheckedDocument = {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The operation selects `__schema` or `__type` somewhere, fragments included. */
  introspection: boolean;
};


export function isRefusal(result: CheckedDocument | Refusal): result is Refusal {
  return 'errors' in result;
}

/** Parses and checks a document, then resolves and checks the operation to run. */
export function checkDocument(
  query: string,
  operationName: string | null | undefined,
  limits: Limits,
): CheckedDocument | Refusal {
  return selectOperation(analyzeDocument(query, limits), operationName, limits);
}

/**
 * `checkDocument` that remembers what it learnt about each query text, so a
 * client's repeated query is parsed and summarised once. `cacheSize` bounds
 * the number of documents kept; their total text is bounded too, since a
 * document's syntax tree is many times the size of its text.
 */
export function createDocumentChecker(
  limits: Limits,
  options: { cacheSize?: number } = {},
): (query: string, operationName?: string | null) => CheckedDocument | Refusal {
  const cache = new LRUCache<string, Analysis>({
    max: options.cacheSize ?? 1_000,
    maxSize: CACHE_MAX_CHARACTERS,
    sizeCalculation: (_value, query) => Math.max(query.length, 1),
  });
  return (query, operationName) => {
    let analysis = cache.get(query);
    if (analysis === undefined) {
      analysis = analyzeDocument(query, limits);
      cache.set(query, analysis);
    }
    return selectOperation(analysis, operationName, limits);
  };
}

/** Total query text the checker's cache keeps, in UTF-16 code units. */
const CACHE_MAX_CHARACTERS = 4_000_000;

type AnalyzedOperation = { node: OperationDefinitionNode; summary: Summary };

/** What a document's text tells, whichever operation is then asked for. */
type Analysis =
  | Refusal
  | {
      document: DocumentNode;
      operations: AnalyzedOperation[];
      byName: Map<string, AnalyzedOperation>;
      selections: number;
      /** Only counted when `selections` is within `maxFields`, which bounds the walk. */
      fieldPairs: number | undefined;
    };

function analyzeDocument(query: string, limits: Limits): Analysis {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens });
  } catch (error) {
    return parseFailure(error);
  }

  // Duplicate names would fail validation anyway, and would make the operation asked for ambiguous here.
  const operations: OperationDefinitionNode[] = [];
  const named = new Map<string, OperationDefinitionNode>();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    // Other definitions (types, schema) are left to validation, which refuses them cheaply.
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      const name = definition.name?.value;
      const first = name === undefined ? undefined : named.get(name);
      if (first) return invalid(`There can be only one operation named "${shorten(name ?? '')}".`, [first, definition]);
      if (name !== undefined) named.set(name, definition);
      operations.push(definition);
    } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      const name = definition.name.value;
      const first = fragments.get(name);
      if (first) return invalid(`There can be only one fragment named "${shorten(name)}".`, [first, definition]);
      fragments.set(name, definition);
    }
  }
  if (operations.length === 0) {
    return refuse(ErrorCode.BAD_REQUEST, 'The document contains no operation.');
  }

  const summaries = new Map<string, Summary | 'visiting'>();
  const analyzed: AnalyzedOperation[] = [];
  const byName = new Map<string, AnalyzedOperation>();
  let selections = 0;
  for (const node of operations) {
    const local = scan(node.selectionSet, [...(node.directives ?? []), ...variableDirectives(node)]);
    const failure = summarizeFragments(local.spreads, fragments, summaries);
    if (failure) return failure;
    const operation = { node, summary: expand(local, summaries) };
    analyzed.push(operation);
    if (node.name) byName.set(node.name.value, operation);
    selections = add(selections, operation.summary.selections);
  }
  // Validation would refuse them too, but only after comparing their fields.
  for (const [name, fragment] of fragments) {
    if (!summaries.has(name)) return invalid(`Fragment "${shorten(name)}" is never used.`, [fragment]);
  }
  const fieldPairs = selections <= limits.maxFields ? countFieldPairs(operations, fragments) : undefined;
  return { document, operations: analyzed, byName, selections, fieldPairs };
}

function selectOperation(
  analysis: Analysis,
  operationName: string | null | undefined,
  limits: Limits,
): CheckedDocument | Refusal {
  if ('errors' in analysis) return analysis;
  // An empty name is no name: the pipeline does not pass it on to the executor either.
  if (!operationName && analysis.operations.length > 1) {
    return unresolved('Must provide operation name if query contains multiple operations.');
  }
  const operation = operationName ? analysis.byName.get(operationName) : analysis.operations[0];
  if (!operation) return unresolved(`Unknown operation named "${shorten(operationName ?? '')}".`);

  const { node, summary } = operation;
  const errors: GraphQLError[] = [];
  const over = (limit: keyof Limits, count: number, message: (count: string, max: number) => string) => {
    const max = limits[limit] ?? DEFAULT_LIMITS[limit] ?? Infinity;
    if (count <= max) return;
    const counted = count >= SATURATED ? `more than ${SATURATED}` : String(count);
    // The operation's limits point at it; the document's (selections, pairs) at nothing in particular.
    const nodes = limit === 'maxFields' || limit === 'maxFieldPairs' ? [] : [node];
    const extensions = { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, limit, max };
    errors.push(new GraphQLError(message(counted, max), { nodes, extensions }));
  };
  over('maxDepth', summary.depth, (n, max) => `The query is ${n} levels deep; at most ${max} are allowed.`);
  over('maxAliases', summary.aliases, (n, max) => `The query uses ${n} aliases; at most ${max} are allowed.`);
  over('maxRootFields', summary.rootFields, (n, max) => `The query selects ${n} root fields; at most ${max} are allowed.`);
  over('maxDirectives', summary.directives, (n, max) => `The query applies ${n} directives; at most ${max} are allowed.`);
  over(
    'maxFields',
    analysis.selections,
    (n, max) =>
      `The document makes ${n} selections (fields and fragments) once its fragments are expanded; at most ${max} are allowed.`,
  );
  over(
    'maxFieldPairs',
    analysis.fieldPairs ?? 0,
    (n, max) =>
      `The document has ${n} pairs of fields with the same response name, or of fragments, at the same place; at most ${max} are allowed.`,
  );
  if (errors.length > 0) return { status: 400, errors };
  return { document: analysis.document, operation: node, introspection: summary.introspection };
}

function variableDirectives(operation: OperationDefinitionNode): DirectiveNode[] {
  return (operation.variableDefinitions ?? []).flatMap((variable) => variable.directives ?? []);
}
