import type { FetchNode, PlanNode, QueryPlan } from '@apollo/query-planner';
import { applyRewrites } from '@apollo/gateway/dist/dataRewrites.js';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { GatewayContext } from './data-source.js';
import { collectAtPath, keyOf, mergeInto, placesOf, project, type Data } from './response-tree.js';
import { NO_ESCAPES } from './subgraph-answer.js';

/**
 * Runs a query plan from Apollo's planner: each fetch sent to its subgraph,
 * each answer merged into one tree of data keyed by response name. Shaping
 * that tree into the client's response is response-writer.ts's job.
 *
 * Where @apollo/gateway's executor sends one representation per entity
 * found at a path, this sends each distinct representation once: in the
 * benchmark query, 381 representations are 41 distinct entities, and the
 * subgraph's answer for one is merged into every entity that asked for it.
 * How the tree of data is searched and merged is response-tree.ts.
 */
export type SubgraphFetcher = {
  fetch(
    request: { query: string; variables: Record<string, unknown>; operationName: string | undefined },
    context: GatewayContext,
  ): Promise<{ data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[]; [NO_ESCAPES]?: true }>;
};

export type PlanExecution = {
  plan: QueryPlan;
  fetchers: Readonly<Record<string, SubgraphFetcher>>;
  /** The supergraph as graphql-js, for type conditions on entities and data rewrites. */
  supergraphSchema: GraphQLSchema;
  /** The request's variables as sent: subgraphs coerce them against their own schema. */
  variables: Readonly<Record<string, unknown>>;
  /** Variables after coercion, defaults applied: for @skip/@include conditions. */
  coercedVariables: Readonly<Record<string, unknown>>;
  context: GatewayContext;
};

export type PlanResult = {
  data: Data;
  errors: GraphQLError[];
  /** Whether any answer may hold a string that needs escaping (see NO_ESCAPES). */
  escapes: boolean;
};

/** Executes the plan; failures of single fetches become errors beside the data that did arrive. */
export async function executePlan(execution: PlanExecution): Promise<PlanResult> {
  const data: Data = Object.create(null);
  const errors: GraphQLError[] = [];
  const result: PlanResult = { data, errors, escapes: false };
  const node = execution.plan.node;
  if (node?.kind === 'Subscription') {
    errors.push(new GraphQLError('Subscriptions are not supported by this gateway.', { extensions: { code: 'BAD_REQUEST' } }));
  } else if (node) {
    await executeNode(execution, node, { root: data, path: [], entities: [data] }, result);
  }
  return result;
}

/** Where a plan node applies: the entities at a (flattened) path of the response. */
type Cursor = { root: Data; path: (string | number)[]; entities: Data[] };

async function executeNode(execution: PlanExecution, node: PlanNode, cursor: Cursor, result: PlanResult): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(execution, child, cursor, result);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(execution, child, cursor, result)));
      return;
    case 'Flatten': {
      const entities: Data[] = [];
      for (const entity of cursor.entities) collectAtPath(entity, node.path, 0, entities);
      if (entities.length > 0) await executeNode(execution, node.node, { root: cursor.root, path: [...cursor.path, ...node.path], entities }, result);
      return;
    }
    case 'Fetch':
      try {
        await executeFetch(execution, node, cursor, result);
      } catch (error) {
        result.errors.push(asGraphQLError(error));
      }
      return;
    case 'Condition': {
      const branch = execution.coercedVariables[node.condition] === true ? node.ifClause : node.elseClause;
      if (branch) await executeNode(execution, branch, cursor, result);
      return;
    }
    case 'Defer':
      result.errors.push(new GraphQLError('@defer is not supported by this gateway.', { extensions: { code: 'BAD_REQUEST' } }));
      return;
  }
}

async function executeFetch(execution: PlanExecution, fetch: FetchNode, cursor: Cursor, result: PlanResult): Promise<void> {
  const fetcher = execution.fetchers[fetch.serviceName];
  if (!fetcher) throw new Error(`The supergraph has no subgraph named "${fetch.serviceName}".`);
  const variables: Record<string, unknown> = Object.create(null);
  for (const name of fetch.variableUsages ?? []) {
    const value = execution.variables[name];
    if (value !== undefined) variables[name] = value;
  }

  if (!fetch.requires) {
    const response = await fetcher.fetch({ query: fetch.operation, variables, operationName: fetch.operationName }, execution.context);
    if (!response[NO_ESCAPES]) result.escapes = true;
    if (response.errors) reportErrors(response.errors, fetch, (path) => [path ? [...cursor.path, ...path] : undefined], result.errors);
    const received = response.data;
    if (!received) return;
    if (fetch.outputRewrites) applyRewrites(execution.supergraphSchema, fetch.outputRewrites, received);
    for (const entity of cursor.entities) mergeInto(entity, received);
    return;
  }

  // One representation per distinct entity; `owners[i]` lists the entities that asked for representation i.
  // An entity object reached through several paths is projected once.
  const representations: Data[] = [];
  const owners: Data[][] = [];
  const seen = new Map<string, number>();
  const projected = new Set<Data>();
  const schema = execution.supergraphSchema;
  for (const entity of cursor.entities) {
    // Already seen at another place: the merge into it will show at every place.
    if (projected.has(entity)) continue;
    projected.add(entity);
    // The key is read off the entity, so a representation is built only for a new one.
    // (Input rewrites change the representation: then it is built first and keyed as JSON.)
    let representation: Data | null = null;
    let key: string | undefined;
    if (fetch.inputRewrites) {
      representation = project(schema, entity, fetch.requires);
      if (representation) {
        applyRewrites(schema, fetch.inputRewrites, representation);
        key = JSON.stringify(representation);
      }
    } else key = keyOf(schema, entity, fetch.requires);
    if (key === undefined) continue;
    let index = seen.get(key);
    if (index === undefined) {
      representation ??= project(schema, entity, fetch.requires);
      index = representation && typeof representation.__typename === 'string' ? representations.length : -1;
      seen.set(key, index);
      if (index >= 0) {
        representations.push(representation!);
        owners.push([]);
      }
    }
    if (index >= 0) owners[index]!.push(entity);
  }
  if (representations.length === 0) return;
  if ('representations' in variables) throw new Error('Variables cannot contain key "representations".');

  const response = await fetcher.fetch(
    { query: fetch.operation, variables: { ...variables, representations }, operationName: fetch.operationName },
    execution.context,
  );
  if (!response[NO_ESCAPES]) result.escapes = true;
  if (response.errors) reportErrors(response.errors, fetch, (path) => entityErrorPaths(path, owners, cursor), result.errors);
  const received = response.data?._entities;
  if (!response.data) return;
  if (!Array.isArray(received)) throw new Error(`The ${fetch.serviceName} subgraph's answer has no "_entities" list.`);
  if (received.length !== representations.length) {
    throw new Error(`The ${fetch.serviceName} subgraph answered ${received.length} entities for ${representations.length} representations.`);
  }
  for (let index = 0; index < received.length; index++) {
    const entity = received[index] as Data | null;
    if (!entity) continue;
    const entities = owners[index]!;
    if (entity.__typename === undefined) entity.__typename = entities[0]!.__typename;
    if (fetch.outputRewrites) applyRewrites(execution.supergraphSchema, fetch.outputRewrites, entity);
    for (const target of entities) mergeInto(target, entity);
  }
}

/** Subgraph errors, at their place in the client's response and naming the subgraph. */
function reportErrors(
  received: readonly GraphQLFormattedError[],
  fetch: FetchNode,
  /** Where the error belongs: one path per place in the response (an entity shared by several has several). */
  pathOf: (path: readonly (string | number)[] | undefined) => ((string | number)[] | undefined)[],
  errors: GraphQLError[],
): void {
  for (const error of received) {
    const message = error.message || `Error while fetching subquery from service "${fetch.serviceName}"`;
    // As @apollo/gateway does: a subgraph error without a code is the subgraph's failure.
    const extensions = { ...error.extensions, code: error.extensions?.code ?? 'DOWNSTREAM_SERVICE_ERROR', serviceName: fetch.serviceName };
    for (const path of pathOf(error.path)) {
      errors.push(new GraphQLError(message, { ...(path ? { path } : {}), extensions }));
    }
  }
}

/**
 * `_entities.3.name` becomes the path of every place in the response that
 * asked for representation 3, plus `name`: each of those fields failed, as
 * the client sees it, though the subgraph was asked once.
 */
function entityErrorPaths(path: readonly (string | number)[] | undefined, owners: Data[][], cursor: Cursor) {
  if (!path || path[0] !== '_entities' || typeof path[1] !== 'number') return [path ? [...cursor.path, ...path] : undefined];
  const asked = new Set(owners[path[1]] ?? []);
  const found = asked.size > 0 ? placesOf(cursor.root, cursor.path, asked).map((at) => [...at, ...path.slice(2)]) : [];
  return found.length > 0 ? found : [undefined];
}

function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (error && typeof error === 'object' && 'extensions' in error && 'message' in error) return error as GraphQLError;
  return new GraphQLError(error instanceof Error ? error.message : 'Unexpected error during query plan execution', {
    ...(error instanceof Error ? { originalError: error } : {}),
  });
}
