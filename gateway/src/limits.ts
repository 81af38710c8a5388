import { ApolloServerErrorCode } from '@apollo/server/errors';
import {
  GraphQLError,
  Kind,
  parse,
  type ASTNode,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';

/*
 * The gateway's checks on a request's document, before the executor
 * (executor.ts) validates and plans it. A few kilobytes can otherwise cost far more than
 * they look: a fragment bomb expands to billions of fields, a field repeated
 * thousands of times sends graphql-js validation to its own ~100 ms budget,
 * deep nesting multiplies what the query planner and subgraphs do. These
 * checks refuse such documents in time linear in their size: each fragment is
 * summarised once and its summary added once per spread, so counts are
 * "fragments expanded" without expanding anything, and saturate rather than
 * overflow.
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

/** A document refused: the HTTP status to answer with and the errors to send. */
export type Refusal = { status: number; errors: GraphQLError[] };

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

/** Counts stop here: a fragment bomb's counts grow exponentially. */
const SATURATED = 1_000_000_000;
const add = (a: number, b: number): number => Math.min(a + b, SATURATED);

/** What a definition selects, its fragments expanded. */
type Summary = {
  /** Fields, fragment spreads and inline fragments. */
  selections: number;
  aliases: number;
  directives: number;
  /** Fields at the definition's top level (a fragment's, once spread at the root), `__typename` aside. */
  rootFields: number;
  depth: number;
  introspection: boolean;
};

/** A fragment spread in a definition, `depth` fields below the definition's top level. */
type Spread = { node: FragmentSpreadNode; depth: number };

/** A definition's own selections, before its spreads are added in. */
type Local = { summary: Summary; spreads: Spread[] };

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
    return refuse(ApolloServerErrorCode.BAD_REQUEST, 'The document contains no operation.');
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
    const extensions = { code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED, limit, max };
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

/**
 * Summarises every fragment reachable from `spreads`, children before
 * parents, refusing unknown fragments and cycles. Iterative: a chain of
 * thousands of fragments fits in 15,000 tokens, and must not exhaust the stack.
 */
function summarizeFragments(
  spreads: Spread[],
  fragments: Map<string, FragmentDefinitionNode>,
  summaries: Map<string, Summary | 'visiting'>,
): Refusal | undefined {
  type Frame = { name: string; local: Local; next: number };
  const stack: Frame[] = [];
  const enter = (spread: FragmentSpreadNode): Refusal | undefined => {
    const name = spread.name.value;
    const state = summaries.get(name);
    if (state === 'visiting') {
      const path = stack.slice(stack.findIndex((frame) => frame.name === name) + 1).map((frame) => frame.name);
      return invalid(`Cannot spread fragment "${shorten(name)}" within itself${via(path)}.`, [spread]);
    }
    if (state) return undefined;
    const fragment = fragments.get(name);
    if (!fragment) return invalid(`Unknown fragment "${shorten(name)}".`, [spread]);
    summaries.set(name, 'visiting');
    stack.push({ name, local: scan(fragment.selectionSet, fragment.directives ?? []), next: 0 });
    return undefined;
  };

  for (const spread of spreads) {
    const failure = enter(spread.node);
    if (failure) return failure;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const child = frame.local.spreads[frame.next++];
      if (child) {
        const childFailure = enter(child.node);
        if (childFailure) return childFailure;
      } else {
        stack.pop();
        summaries.set(frame.name, expand(frame.local, summaries));
      }
    }
  }
  return undefined;
}

/** A definition's summary: its own selections plus, per spread, the spread fragment's summary. */
function expand(local: Local, summaries: Map<string, Summary | 'visiting'>): Summary {
  const summary = { ...local.summary };
  // Each spread is a selection itself, already counted by scan, and stands for the fragment's.
  for (const { node, depth } of local.spreads) {
    const fragment = summaries.get(node.name.value);
    // Unreachable: summarizeFragments has summarised every spread fragment first.
    if (fragment === undefined || fragment === 'visiting') throw new Error(`Fragment ${node.name.value} not summarised`);
    summary.selections = add(summary.selections, fragment.selections);
    summary.aliases = add(summary.aliases, fragment.aliases);
    summary.directives = add(summary.directives, fragment.directives);
    if (depth === 0) summary.rootFields = add(summary.rootFields, fragment.rootFields);
    summary.depth = Math.max(summary.depth, depth + fragment.depth);
    summary.introspection ||= fragment.introspection;
  }
  return summary;
}

/** Counts one definition's own selections and lists its spreads, without following them. */
function scan(selectionSet: SelectionSetNode, definitionDirectives: readonly DirectiveNode[]): Local {
  const summary: Summary = {
    selections: 0,
    aliases: 0,
    directives: definitionDirectives.length,
    rootFields: 0,
    depth: 0,
    introspection: false,
  };
  const spreads: Spread[] = [];
  // `depth` counts the fields enclosing a selection set; an explicit stack, as parse allows ~2,000 levels.
  const pending: { selectionSet: SelectionSetNode; depth: number }[] = [{ selectionSet, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { depth } = next;
    for (const selection of next.selectionSet.selections) {
      summary.selections++;
      summary.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (selection.alias) summary.aliases++;
        if (depth === 0 && name !== '__typename') summary.rootFields++;
        if (name === '__schema' || name === '__type') summary.introspection = true;
        summary.depth = Math.max(summary.depth, depth + 1);
        if (selection.selectionSet) pending.push({ selectionSet: selection.selectionSet, depth: depth + 1 });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        pending.push({ selectionSet: selection.selectionSet, depth });
      } else {
        spreads.push({ node: selection, depth });
      }
    }
  }
  return { summary, spreads };
}

/** A place in a result: how many fields write it, what they select, and which fragments are spread there. */
type Place = { count: number; children: Map<string, Place>; fragments?: Set<string> };

/**
 * Walks every operation with its fragments expanded, counting the pairs of
 * fields, and of distinct fragments, at the same place in a result: as
 * graphql-js does, a fragment is not compared with those it is spread
 * through (`within`). Only called once the expanded selections are known to
 * be within their limit: expanding is exponential in a fragment bomb.
 */
function countFieldPairs(operations: OperationDefinitionNode[], fragments: Map<string, FragmentDefinitionNode>): number {
  let pairs = 0;
  for (const operation of operations) {
    const root: Place = { count: 1, children: new Map() };
    const pending = [{ selectionSet: operation.selectionSet, place: root, within: 0 }];
    for (let next = pending.pop(); next; next = pending.pop()) {
      const { place, within } = next;
      for (const selection of next.selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          const responseName = selection.alias?.value ?? selection.name.value;
          let child = place.children.get(responseName);
          if (!child) place.children.set(responseName, (child = { count: 0, children: new Map() }));
          pairs += child.count++;
          if (selection.selectionSet) pending.push({ selectionSet: selection.selectionSet, place: child, within: 0 });
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          pending.push({ selectionSet: selection.selectionSet, place, within });
        } else {
          const name = selection.name.value;
          place.fragments ??= new Set();
          if (!place.fragments.has(name)) pairs += place.fragments.size - within;
          place.fragments.add(name);
          const fragment = fragments.get(name);
          if (fragment) pending.push({ selectionSet: fragment.selectionSet, place, within: within + 1 });
        }
      }
    }
  }
  return pairs;
}

function variableDirectives(operation: OperationDefinitionNode): DirectiveNode[] {
  return (operation.variableDefinitions ?? []).flatMap((variable) => variable.directives ?? []);
}

function parseFailure(error: unknown): Refusal {
  const code = ApolloServerErrorCode.GRAPHQL_PARSE_FAILED;
  if (error instanceof GraphQLError) {
    // Keep the position: a syntax error is only useful with its line and column.
    const { source, positions } = error;
    const where = { ...(source ? { source } : {}), ...(positions ? { positions } : {}) };
    return { status: 400, errors: [new GraphQLError(error.message, { ...where, extensions: { code } })] };
  }
  // graphql-js parses recursively: a couple of thousand nested brackets exhaust the stack within the token limit.
  if (error instanceof RangeError) return refuse(code, 'Syntax Error: The document is nested too deeply to parse.');
  throw error;
}

function refuse(code: ApolloServerErrorCode, message: string, nodes?: ASTNode[]): Refusal {
  return { status: 400, errors: [new GraphQLError(message, { ...(nodes ? { nodes } : {}), extensions: { code } })] };
}

function invalid(message: string, nodes: ASTNode[]): Refusal {
  return refuse(ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED, message, nodes);
}

function unresolved(message: string): Refusal {
  return refuse(ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE, message);
}

/** Names come from the client and a name token can be any length. */
function shorten(name: string): string {
  return name.length > 100 ? `${name.slice(0, 100)}…` : name;
}

function via(path: string[]): string {
  if (path.length === 0) return '';
  const shown = path.slice(0, 5).map((name) => `"${shorten(name)}"`).join(', ');
  return ` via ${shown}${path.length > 5 ? ` and ${path.length - 5} more` : ''}`;
}
