import type { DeferredNode, FetchNode, PlanNode, QueryPlan, QueryPlanSelectionNode } from '@apollo/query-planner';
import { applyRewrites } from '@apollo/gateway/dist/dataRewrites.js';
import { GraphQLError, isAbstractType, type GraphQLSchema } from 'graphql';
import { NO_ESCAPES, type GatewayContext, type SubgraphAnswerData, type SubgraphFetcher } from '#gateway/fetch/transport.js';
import { contextGroups } from './context-rewrites.js';
import { RepresentationKeys } from './representation-keys.js';
import { collectAtPath, mergeInto, placesOf, project, type Data } from './response-tree.js';
import { errorsAt, inPlaceOrder, noDataErrors, renamesOf, rootFieldsOf, subgraphErrors } from './subgraph-errors.js';

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
  /** Fetches of the plan not to send, with why (plan-keys.ts): their fields are null with that error. */
  refused?: ReadonlyMap<FetchNode, string> | undefined;
  /** Where a plan's deferred blocks run (defer/deferrals.ts); without it, a Defer node is refused. */
  deferrals?: Deferrals | undefined;
};

/** Runs each deferred block of a Defer node once its dependencies have, apart from the primary block. */
export type Deferrals = {
  start(block: DeferredNode, shared: PlanResult, run: (result: PlanResult) => Promise<void>): void;
};

export type PlanResult = {
  data: Data;
  errors: GraphQLError[];
  /** Whether any answer may hold a string that needs escaping (see NO_ESCAPES). */
  escapes: boolean;
  /**
   * Objects of the response a fetch was to fill but failed for, with an error
   * that names no place in the response: the values missing from them are
   * accounted for by that error.
   */
  failed: Set<Data>;
  /**
   * Objects a fetch was to fill that the gateway did not send (plan-keys.ts),
   * with why: each value the answer then misses in them is null with that
   * error at its path (response-writer.ts), and what the client did not ask
   * for is no error.
   */
  refused: Map<Data, { message: string; serviceName: string }>;
};

/** Executes the plan; failures of single fetches become errors beside the data that did arrive. */
export async function executePlan(execution: PlanExecution): Promise<PlanResult> {
  const data: Data = Object.create(null);
  const errors: GraphQLError[] = [];
  const result: PlanResult = { data, errors, escapes: false, failed: new Set(), refused: new Map() };
  const node = execution.plan.node;
  if (node?.kind === 'Subscription') {
    // Executor.subscribe runs them (subscription-executor.ts); a single answer cannot carry a stream of events.
    const message = 'A subscription needs a streaming protocol: subscribe over graphql-ws (WebSocket), GraphQL over SSE, or multipart HTTP.';
    errors.push(new GraphQLError(message, { extensions: { code: 'SUBSCRIPTION_NEEDS_STREAMING' } }));
  } else if (node) {
    await executeNode(execution, node, { root: data, path: [], entities: [data] }, result);
  }
  return result;
}

/** Where a plan node applies: the entities at a (flattened) path of the response. */
export type Cursor = { root: Data; path: (string | number)[]; entities: Data[] };

export async function executeNode(execution: PlanExecution, node: PlanNode, cursor: Cursor, result: PlanResult): Promise<void> {
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
    case 'Fetch': {
      // The request's answers are past its budget: the answer will be RESPONSE_TOO_LARGE, and nothing more is fetched for it.
      if (execution.context.budget?.exceeded) return;
      const refusal = execution.refused?.get(node);
      if (refusal) {
        for (const entity of cursor.entities) result.refused.set(entity, { message: refusal, serviceName: node.serviceName });
        return;
      }
      try {
        await executeFetch(execution, node, cursor, result);
      } catch (error) {
        result.errors.push(asGraphQLError(error));
        for (const entity of cursor.entities) result.failed.add(entity);
      }
      return;
    }
    case 'Condition': {
      const branch = execution.coercedVariables[node.condition] === true ? node.ifClause : node.elseClause;
      if (branch) await executeNode(execution, branch, cursor, result);
      return;
    }
    case 'Defer': {
      const deferrals = execution.deferrals;
      if (!deferrals) {
        result.errors.push(new GraphQLError('@defer is not supported by this gateway.', { extensions: { code: 'BAD_REQUEST' } }));
        return;
      }
      // The primary block is part of the answer being waited for; deferred blocks run on, each into a result of its own.
      if (node.primary.node) await executeNode(execution, node.primary.node, cursor, result);
      for (const block of node.deferred) deferrals.start(block, result, (own) => (block.node ? executeNode(execution, block.node, cursor, own) : Promise.resolve()));
      return;
    }
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

  if (!hasRequires(fetch)) {
    const response = await fetcher.fetch({ query: fetch.operation, variables, operationName: fetch.operationName }, execution.context);
    mergeAnswer(execution, fetch, cursor, response, result);
    return;
  }

  if ('representations' in variables) throw new Error('Variables cannot contain key "representations".');
  if (!fetch.contextRewrites?.length) return fetchEntities(execution, fetch, fetcher, cursor, cursor.entities, variables, result);

  // @fromContext: each entity's arguments come from its ancestors; entities with the same values are fetched together.
  // Contextual arguments are the gateway's to give, never the client's (a request may carry variables of any name).
  for (const rewrite of fetch.contextRewrites) delete variables[rewrite.renameKeyTo];
  const groups = contextGroups(execution.supergraphSchema, cursor.root, cursor.path, fetch.contextRewrites, new Set(cursor.entities));
  const results = await Promise.all(
    groups.map(async (group) => {
      const own: PlanResult = { data: result.data, errors: [], escapes: false, failed: result.failed, refused: result.refused };
      await fetchEntities(execution, fetch, fetcher, cursor, group.entities, { ...variables, ...group.values }, own);
      return own;
    }),
  );
  for (const own of results) {
    result.errors.push(...own.errors);
    result.escapes ||= own.escapes;
  }
}

/**
 * A fetch's answer that is not for entities, merged where the fetch applies:
 * a query's root fetch, or one event of a subscription (subscription-executor.ts).
 */
export function mergeAnswer(execution: PlanExecution, fetch: FetchNode, cursor: Cursor, response: SubgraphAnswerData, result: PlanResult): void {
  if (!response[NO_ESCAPES]) result.escapes = true;
  const received = response.data;
  const reported = subgraphErrors(response.errors, fetch.serviceName, (path) => [path ? [...cursor.path, ...path] : undefined], renamesOf(fetch));
  if (reported.unplaced || !received) for (const entity of cursor.entities) result.failed.add(entity);
  if (!received && !response.errors?.length) {
    reported.errors.push(...noDataErrors(fetch.serviceName, rootFieldsOf(fetch).map((name) => [...cursor.path, name])));
  }
  result.errors.push(...reported.errors);
  if (!received) return;
  if (fetch.outputRewrites) applyRewrites(execution.supergraphSchema, fetch.outputRewrites, received);
  for (const entity of cursor.entities) mergeInto(entity, received);
}

/** An entity fetch for `entities`, with `variables` (the client's and any contextual arguments). */
async function fetchEntities(
  execution: PlanExecution,
  fetch: FetchNode & { requires: QueryPlanSelectionNode[] },
  fetcher: SubgraphFetcher,
  cursor: Cursor,
  entities: readonly Data[],
  variables: Record<string, unknown>,
  result: PlanResult,
): Promise<void> {
  // One representation per distinct entity; `owners[i]` lists the entities that asked for representation i.
  // An entity object reached through several paths is projected once.
  const representations: Data[] = [];
  const owners: Data[][] = [];
  const keys = new RepresentationKeys();
  const projected = new Set<Data>();
  const schema = execution.supergraphSchema;
  for (const entity of entities) {
    // Already seen at another place: the merge into it will show at every place.
    if (projected.has(entity)) continue;
    projected.add(entity);
    // The key is read off the entity, so a representation is built only for a new one.
    // (Input rewrites change the representation: then it is built first and keyed as JSON.)
    let representation: Data | null = null;
    let index: number | null | undefined = null;
    if (fetch.inputRewrites) {
      representation = project(schema, entity, fetch.requires);
      // An entity the requirement's type condition leaves out projects to no __typename: the rewrites must not give it one.
      if (representation && typeof representation.__typename === 'string') {
        applyRewrites(schema, fetch.inputRewrites, representation);
        index = keys.lookupText(JSON.stringify(representation));
      }
    } else index = keys.lookup(schema, entity, fetch.requires);
    // It lacks a field the fetch requires: nothing to send for it.
    if (index === null) continue;
    if (index === undefined) {
      representation ??= project(schema, entity, fetch.requires);
      index = representation && typeof representation.__typename === 'string' ? representations.length : -1;
      keys.remember(index);
      if (index >= 0) {
        representations.push(representation!);
        owners.push([]);
      }
    }
    if (index >= 0) owners[index]!.push(entity);
  }
  if (representations.length === 0) return;

  const response = await fetcher.fetch(
    { query: fetch.operation, variables: { ...variables, representations }, operationName: fetch.operationName },
    execution.context,
  );
  if (!response[NO_ESCAPES]) result.escapes = true;
  const reported = subgraphErrors(response.errors, fetch.serviceName, (path) => entityErrorPaths(path, owners, cursor), renamesOf(fetch));
  inPlaceOrder(reported.errors, response.errors, cursor.path.length);
  if (reported.unplaced || !response.data) for (const entity of entities) result.failed.add(entity);
  if (!response.data && !response.errors?.length) reported.errors.push(...noDataErrors(fetch.serviceName, placesOf(cursor.root, cursor.path, new Set(entities))));
  result.errors.push(...reported.errors);
  const received = response.data?._entities;
  if (!response.data) return;
  if (!Array.isArray(received)) throw new Error(`The ${fetch.serviceName} subgraph's answer has no "_entities" list.`);
  if (received.length !== representations.length) {
    throw new Error(`The ${fetch.serviceName} subgraph answered ${received.length} entities for ${representations.length} representations.`);
  }
  let mismatched: Data[] | undefined;
  for (let index = 0; index < received.length; index++) {
    const entity = received[index] as Data | null;
    if (entity === null || typeof entity !== 'object' || Array.isArray(entity)) continue;
    const entities = owners[index]!;
    const asked = representations[index]!.__typename as string;
    if (entity.__typename === undefined) entity.__typename = entities[0]!.__typename;
    else if (!sameEntityType(schema, asked, entity.__typename)) {
      // Another entity than the one asked for: merged, it would answer for the wrong object.
      (mismatched ??= []).push(...entities);
      continue;
    }
    if (fetch.outputRewrites) applyRewrites(execution.supergraphSchema, fetch.outputRewrites, entity);
    for (const target of entities) mergeInto(target, entity);
  }
  if (mismatched) {
    const places = placesOf(cursor.root, cursor.path, new Set(mismatched));
    result.errors.push(...errorsAt(`The ${fetch.serviceName} subgraph answered an entity of another type than the one asked for.`, fetch.serviceName, places));
  }
}

function hasRequires(fetch: FetchNode): fetch is FetchNode & { requires: QueryPlanSelectionNode[] } {
  return fetch.requires !== undefined;
}

/**
 * Whether a subgraph's `__typename` for an entity is the one its
 * representation asked for. An `@interfaceObject` subgraph answers with the
 * interface for an object of it, and is asked with it: either way is the same entity.
 */
function sameEntityType(schema: GraphQLSchema, asked: string, answered: unknown): boolean {
  if (answered === asked) return true;
  if (typeof answered !== 'string') return false;
  const a = schema.getType(asked);
  const b = schema.getType(answered);
  if (!a || !b) return false;
  return (isAbstractType(a) && schema.isSubType(a, b as never)) || (isAbstractType(b) && schema.isSubType(b, a as never));
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
