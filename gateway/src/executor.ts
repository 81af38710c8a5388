import { operationFromDocument, printSchema, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import {
  buildSchema,
  execute,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  validate,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import { markFailed, tracing, withChildSpan } from '#lib/telemetry.js';
import type { GatewayContext } from './data-source.js';
import { executePlan, type SubgraphFetcher } from './query-plan-executor.js';
import { compileShape, conditionKey, writeResponse, type Shape } from './response-writer.js';

/**
 * Junction's executor: Apollo's query planner, with Junction's own plan
 * execution (query-plan-executor.ts) and response writing (response-writer.ts)
 * in place of @apollo/gateway's, and no Apollo Server in between. Each
 * distinct operation is validated, planned and compiled once, then kept.
 */
export type ExecutorOptions = {
  supergraphSdl: string;
  /** Makes the fetcher for each subgraph of the supergraph, from its name and routing URL. */
  fetcher(subgraph: { name: string; url: string }): SubgraphFetcher;
  /** false refuses `__schema` and `__type` in validation, for every caller. */
  introspection: boolean;
  /** Distinct operations kept, planned. */
  planCacheSize?: number;
  /** Told whether each operation's plan was in the cache (hit) or had to be made (miss). */
  onPlanCache?: ((hit: boolean) => void) | undefined;
};

export type ExecutionRequest = {
  document: DocumentNode;
  /** The document's text: the key its plan is kept under. */
  query: string;
  operationName?: string | null | undefined;
  variables?: Readonly<Record<string, unknown>> | undefined;
  context: GatewayContext;
};

export type ExecutionResult = {
  /** 400 for a request that could not run (invalid document or variables), 200 otherwise. */
  status: number;
  /** JSON text of `data`, absent when the operation did not run. */
  data?: string;
  errors: readonly GraphQLError[];
  extensions?: Record<string, unknown>;
};

export type Executor = {
  /** The API schema clients see: what they validate and introspect against. */
  schema: GraphQLSchema;
  /** The subgraphs' names and routing URLs. */
  subgraphs: readonly { name: string; url: string }[];
  execute(request: ExecutionRequest): Promise<ExecutionResult>;
};

/** One operation of one document, ready to run. */
type Prepared =
  | { ok: false; errors: readonly GraphQLError[] }
  | {
      ok: true;
      operation: OperationDefinitionNode;
      fragments: Record<string, FragmentDefinitionNode>;
      plan: QueryPlan;
      /** Variables that @skip/@include read, for the shape's cache key. */
      conditionVariables: string[];
      shapes: Map<string, Shape>;
      /** The root `__schema`/`__type` fields alone, run by graphql-js against the API schema. */
      introspection?: DocumentNode;
    };

const PLAN_CACHE_MAX_CHARACTERS = 8_000_000;

export function createExecutor(options: ExecutorOptions): Executor {
  const supergraph = Supergraph.build(options.supergraphSdl);
  const apiSchema = supergraph.apiSchema();
  // Built from SDL with this module's graphql, so validation and type checks use one copy of graphql-js.
  const schema = buildSchema(printSchema(apiSchema));
  const supergraphSchema = supergraph.schema.toGraphQLJSSchema();
  const planner = new QueryPlanner(supergraph);
  const subgraphs = supergraph.subgraphsMetadata();
  const fetchers: Record<string, SubgraphFetcher> = Object.create(null);
  for (const subgraph of subgraphs) fetchers[subgraph.name] = options.fetcher(subgraph);
  const rules = options.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const cache = new LRUCache<string, Prepared>({
    max: options.planCacheSize ?? 2_000,
    maxSize: PLAN_CACHE_MAX_CHARACTERS,
    sizeCalculation: (_value, key) => Math.max(key.length, 1),
  });

  function prepare(document: DocumentNode, operationName: string | null | undefined): Prepared {
    const invalid = validate(schema, document, rules);
    if (invalid.length > 0) return { ok: false, errors: invalid.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED')) };
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      const message = operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.';
      return { ok: false, errors: [new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })] };
    }
    let plan: QueryPlan;
    try {
      plan = planner.buildQueryPlan(operationFromDocument(apiSchema, document, { operationName: operationName ?? undefined }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, errors: [new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })] };
    }
    const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    }
    const introspection = introspectionDocument(operation, fragments);
    return {
      ok: true,
      operation,
      fragments,
      plan,
      conditionVariables: conditionVariablesOf(document),
      shapes: new Map(),
      ...(introspection ? { introspection } : {}),
    };
  }

  return {
    schema,
    subgraphs,
    async execute(request) {
      const key = `${request.operationName ?? ''}\u0000${request.query}`;
      let prepared = cache.get(key);
      options.onPlanCache?.(prepared !== undefined);
      if (!prepared) {
        prepared = tracing() ? preparedInSpan(prepare, request.document, request.operationName) : prepare(request.document, request.operationName);
        cache.set(key, prepared);
      }
      if (!prepared.ok) return { status: 400, errors: prepared.errors };

      const raw = request.variables ?? {};
      const coerced = getVariableValues(schema, prepared.operation.variableDefinitions ?? [], raw);
      if (coerced.errors) return { status: 400, errors: coerced.errors.map((error) => withCode(error, 'BAD_USER_INPUT')) };

      const execution = await executePlan({
        plan: prepared.plan,
        fetchers,
        supergraphSchema,
        variables: raw,
        coercedVariables: coerced.coerced,
        context: request.context,
      });

      let introspected: Record<string, unknown> | undefined;
      if (prepared.introspection) {
        const result = execute({ schema, document: prepared.introspection, variableValues: raw });
        if ('then' in result) throw new Error('Introspection does not resolve synchronously.');
        introspected = result.data ?? undefined;
        execution.errors.push(...(result.errors ?? []));
      }

      const conditions = conditionKey(prepared.conditionVariables, coerced.coerced);
      let shape = prepared.shapes.get(conditions);
      if (!shape) {
        shape = compileShape(schema, prepared.operation, prepared.fragments, coerced.coerced);
        prepared.shapes.set(conditions, shape);
      }
      const written = writeResponse(shape, execution.data, { introspection: introspected, escapes: execution.escapes });
      // As @apollo/gateway does: nulls in non-null fields are errors of their own only when nothing else failed.
      if (execution.errors.length === 0 && written.errors.length > 0) {
        return { status: 200, data: written.data, errors: [], extensions: { valueCompletion: written.errors.map((error) => error.toJSON()) } };
      }
      return { status: 200, data: written.data, errors: execution.errors };
    },
  };
}

/**
 * Validation and planning in a span of their own, named as Apollo Router names
 * it; only on a plan-cache miss, so a trace shows when an operation was new.
 */
function preparedInSpan(
  prepare: (document: DocumentNode, operationName: string | null | undefined) => Prepared,
  document: DocumentNode,
  operationName: string | null | undefined,
): Prepared {
  return withChildSpan('query_planning', operationName ? { 'graphql.operation.name': operationName } : {}, (span) => {
    const prepared = prepare(document, operationName);
    if (!span) return prepared;
    if (prepared.ok) {
      span.setAttribute('graphql.operation.type', prepared.operation.operation);
      if (prepared.operation.name) span.setAttribute('graphql.operation.name', prepared.operation.name.value);
    } else markFailed(span, String(prepared.errors[0]?.extensions.code ?? 'GRAPHQL_VALIDATION_FAILED'));
    return prepared;
  });
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source && error.positions ? { source: error.source, positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    extensions: { ...error.extensions, code },
  });
}

/** Names of the variables any @skip or @include of the document reads. */
function conditionVariablesOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Directive(node) {
      if (node.name.value !== 'skip' && node.name.value !== 'include') return;
      for (const argument of node.arguments ?? []) if (argument.value.kind === Kind.VARIABLE) names.add(argument.value.name.value);
    },
  });
  return [...names].sort();
}

/**
 * The operation with only its root `__schema` and `__type` fields, or
 * undefined when it has none. Fragments on the root type are kept as inline
 * fragments around what they select of these, with their directives, so
 * graphql-js applies @skip and @include as in the whole operation.
 */
function introspectionDocument(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): DocumentNode | undefined {
  const only = (selectionSet: SelectionSetNode, visited: ReadonlySet<string>): SelectionSetNode | undefined => {
    const selections = selectionSet.selections.flatMap((selection): SelectionNode[] => {
      if (selection.kind === Kind.FIELD) return selection.name.value === '__schema' || selection.name.value === '__type' ? [selection] : [];
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const inner = only(selection.selectionSet, visited);
        return inner ? [{ ...selection, selectionSet: inner }] : [];
      }
      const fragment = fragments[selection.name.value];
      if (!fragment || visited.has(fragment.name.value)) return [];
      const inner = only(fragment.selectionSet, new Set([...visited, fragment.name.value]));
      if (!inner) return [];
      const inline: InlineFragmentNode = {
        kind: Kind.INLINE_FRAGMENT,
        typeCondition: fragment.typeCondition,
        ...(selection.directives ? { directives: selection.directives } : {}),
        selectionSet: inner,
      };
      return [inline];
    });
    return selections.length > 0 ? { kind: Kind.SELECTION_SET, selections } : undefined;
  };
  const selectionSet = only(operation.selectionSet, new Set());
  return selectionSet ? { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet }] } : undefined;
}
