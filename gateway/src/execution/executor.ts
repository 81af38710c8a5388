import { printSchema } from '@apollo/federation-internals';
import {
  buildSchema,
  execute,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  print,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import { tracing } from '#lib/telemetry.js';
import type { SubgraphFetcher } from '#gateway/fetch/transport.js';
import type { ExecutionRequest, Executor, ExecutorOptions } from './executor-types.js';
import { planOperation, type OperationPlanning } from './operation-planner.js';
import { createPlanFunction, loadSupergraph } from './planning/build-planner.js';
import { createPlannerPool } from './planning/planner-pool.js';
import { requirementsOf } from './plan-conflicts.js';
import { resolvableKeys, unresolvableFetches } from './plan-keys.js';
import { activeLabels, overrideLabelsOf } from './override-labels.js';
import { executePlan } from './query-plan-executor.js';
import { labelDefers, mayDefer, withDeferDirective } from './defer/defer-directive.js';
import { createDeferredRuns } from './defer/deferrals.js';
import { writeIncrementally } from './defer/incremental-answer.js';
import { compileShape, conditionKey, conditionVariablesOf, type Shape } from './response-shape.js';
import { renamed, withCode } from './error-paths.js';
import { answerOf, tooLarge, type ExecutionResult } from './plan-answer.js';
import { preparedInSpan, type Prepared } from './prepared-operation.js';
import { startSubscription } from './subscription-executor.js';

/**
 * Junction's executor: Apollo's query planner, with Junction's own plan
 * execution (query-plan-executor.ts) and response writing (response-writer.ts)
 * in place of @apollo/gateway's, and no Apollo Server in between. Each
 * distinct operation is validated, planned and compiled once, then kept.
 */
export type { ExecutorOptions, ExecutionRequest, Executor } from './executor-types.js';
export type { ExecutionResult } from './plan-answer.js';
export type { IncrementalItem, SubsequentPayload } from './defer/incremental-answer.js';
export type { EventStream } from './subscription-executor.js';

const PLAN_CACHE_MAX_CHARACTERS = 8_000_000;

export function createExecutor(options: ExecutorOptions): Executor {
  // @context is linked `for: SECURITY`, which the default refuses; the plan executor applies it.
  const supergraph = loadSupergraph(options.supergraphSdl);
  const apiSchema = supergraph.apiSchema();
  // Built from SDL with this module's graphql, so validation and type checks use one copy of graphql-js.
  const schema = withDeferDirective(buildSchema(printSchema(apiSchema)));
  const supergraphSchema = supergraph.schema.toGraphQLJSSchema();
  const threads = options.planning?.threads ?? 0;
  const pool =
    threads > 0
      ? createPlannerPool({ supergraphSdl: options.supergraphSdl, threads, timeoutMs: options.planning!.timeoutMs })
      : undefined;
  const planHere = pool ? undefined : createPlanFunction(supergraph);
  const keysOf = resolvableKeys(supergraph);
  let fullSchema: GraphQLSchema | undefined;
  const planning: OperationPlanning = {
    plan: (document, operationName, overrideConditions, defer) => {
      const overrides = overrideConditions ? [...overrideConditions] : undefined;
      const extra = defer ? { defer } : {};
      return pool ? pool.plan({ text: print(document), operationName, overrides, ...extra }) : planHere!({ text: '', operationName, overrides, ...extra }, document);
    },
    // The planner's fetches select fields clients cannot (@inaccessible ones): typed against the whole supergraph, built once when first needed.
    supergraphSchema: () => (fullSchema ??= buildSchema(printSchema(supergraph.schema))),
    requirements: requirementsOf(supergraph),
  };
  const subgraphs = supergraph.subgraphsMetadata();
  const fetchers: Record<string, SubgraphFetcher> = Object.create(null);
  for (const subgraph of subgraphs) fetchers[subgraph.name] = options.fetcher(subgraph);
  const rules = options.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const labels = overrideLabelsOf(options.supergraphSdl);
  const random = options.random ?? Math.random;
  const cache = new LRUCache<string, Prepared>({
    max: options.planCacheSize ?? 2_000,
    maxSize: PLAN_CACHE_MAX_CHARACTERS,
    sizeCalculation: (_value, key) => Math.max(key.length, 1),
  });

  /** Operations being planned now, by cache key: the same new operation sent many times at once is planned once. */
  const inFlight = new Map<string, Promise<Prepared>>();

  async function prepare(sent: DocumentNode, operationName: string | null | undefined, overrideConditions: Map<string, boolean> | undefined, deferring: boolean): Promise<Prepared> {
    const invalid = validate(schema, sent, rules);
    if (invalid.length > 0) return { ok: false, status: 400, errors: invalid.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED')) };
    // An operation with @defer plans with incremental delivery, each @defer labelled by the gateway; without, as it always did.
    const labelled = deferring ? labelDefers(sent) : undefined;
    const document = labelled?.document ?? sent;
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      const message = operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.';
      return { ok: false, status: 400, errors: [new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })] };
    }
    let planned = await planOperation(planning, document, operation, operationName, overrideConditions, labelled !== undefined);
    // The planner fails on some deferred shapes it plans without @defer: then the whole answer at once, as to a client without multipart.
    if (!planned.ok && labelled && planned.status === 500) return prepare(sent, operationName, overrideConditions, false);
    if (!planned.ok) return planned;
    const refused = unresolvableFetches(planned.plan, keysOf);
    return {
      ok: true,
      operation: planned.operation,
      fragments: planned.fragments,
      plan: planned.plan,
      conditionVariables: conditionVariablesOf(document),
      shapes: new Map(),
      ...(planned.introspection ? { introspection: planned.introspection } : {}),
      ...(planned.renames ? { renames: planned.renames } : {}),
      ...(planned.unplanned ? { unplanned: planned.unplanned } : {}),
      ...(refused.size > 0 ? { refused } : {}),
      ...(labelled ? { deferLabels: labelled.labels } : {}),
    };
  }

  /** Reports a new operation's validation and planning time. */
  async function timed(preparing: Promise<Prepared>): Promise<Prepared> {
    if (!options.onPlanned) return preparing;
    const started = performance.now();
    const prepared = await preparing;
    const outcome = prepared.ok ? 'planned' : prepared.errors[0]?.extensions.code === 'QUERY_PLANNING_TIMEOUT' ? 'timeout' : 'refused';
    options.onPlanned((performance.now() - started) / 1000, outcome);
    return prepared;
  }

  /**
   * The request's operation, validated and planned: from the cache (at once)
   * or made once however many ask for it meanwhile. A document with @defer
   * plans with incremental delivery; for a client that does not read
   * multipart, the same operation is planned without it, and answered at once.
   */
  function preparedFor(request: ExecutionRequest): Prepared | Promise<Prepared> {
    // Each set of active override labels plans apart.
    const overrides = labels.length > 0 ? activeLabels(labels, request.overrideLabels, random) : undefined;
    const key = `${overrides ? `${overrides.key}\u0000` : ''}${request.operationName ?? ''}\u0000${request.query}`;
    const cached = cache.get(key);
    options.onPlanCache?.(cached !== undefined);
    const prepared = cached ?? made(key, request, overrides?.conditions, mayDefer(request.query));
    if (request.defer) return prepared;
    const whole = (done: Prepared): Prepared | Promise<Prepared> =>
      done.ok && done.deferLabels ? (cache.get(`\u0001${key}`) ?? made(`\u0001${key}`, request, overrides?.conditions, false)) : done;
    return 'then' in prepared ? prepared.then(whole) : whole(prepared);
  }

  /** The operation prepared under `key` once made, kept only then. */
  function made(key: string, request: ExecutionRequest, conditions: Map<string, boolean> | undefined, deferring: boolean): Promise<Prepared> {
    let making = inFlight.get(key);
    if (!making) {
      const make = (document: DocumentNode, operationName: string | null | undefined) => timed(prepare(document, operationName, conditions, deferring));
      making = (tracing() ? preparedInSpan(make, request.document, request.operationName) : make(request.document, request.operationName)).finally(() => inFlight.delete(key));
      inFlight.set(key, making);
      making.then((done) => cache.set(key, done), () => {});
    }
    return making;
  }

  /** The response shape for these variables' @skip/@include conditions, compiled once per operation and conditions. */
  function shapeFor(prepared: Prepared & { ok: true }, coerced: Record<string, unknown>): Shape {
    const conditions = conditionKey(prepared.conditionVariables, coerced);
    let shape = prepared.shapes.get(conditions);
    if (!shape) {
      shape = compileShape(schema, prepared.operation, prepared.fragments, coerced, prepared.renames);
      prepared.shapes.set(conditions, shape);
    }
    return shape;
  }

  /** The request's variables coerced to the operation's (defaults applied), or why they cannot be. */
  function coercedVariables(prepared: Prepared & { ok: true }, raw: Readonly<Record<string, unknown>>): { coerced: Record<string, unknown> } | ExecutionResult {
    const coerced = getVariableValues(schema, prepared.operation.variableDefinitions ?? [], raw);
    if (coerced.errors) return { status: 400, errors: coerced.errors.map((error) => withCode(error, 'BAD_USER_INPUT')) };
    return { coerced: coerced.coerced };
  }

  /** Subscriptions open on this executor, and who waits for none to be. */
  let open = 0;
  let idle: (() => void)[] = [];
  const subscriptionEnded = () => {
    if (--open > 0) return;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  };

  return {
    schema,
    subgraphs,
    close: async () => pool?.close(),
    async execute(request) {
      let prepared = preparedFor(request);
      if ('then' in prepared) prepared = await prepared;
      if (!prepared.ok) return { status: prepared.status, errors: prepared.errors };
      if (prepared.plan.node?.kind === 'Subscription') return needsStreaming();

      const raw = request.variables ?? {};
      const coerced = coercedVariables(prepared, raw);
      if ('status' in coerced) return coerced;

      const runs = prepared.deferLabels ? createDeferredRuns() : undefined;
      const execution = await executePlan({
        plan: prepared.plan,
        fetchers,
        supergraphSchema,
        variables: raw,
        coercedVariables: coerced.coerced,
        context: request.context,
        refused: prepared.refused,
        deferrals: runs,
      });
      const budget = request.context.budget;
      if (budget?.exceeded) return tooLarge(budget.limit);
      for (const name of prepared.unplanned?.(coerced.coerced) ?? []) {
        const message = 'No subgraph can resolve this field: the query plan for it is empty.';
        execution.errors.push(new GraphQLError(message, { path: [name], extensions: { code: 'QUERY_PLAN_EMPTY' } }));
      }

      let introspected: Record<string, unknown> | undefined;
      if (prepared.introspection) {
        const result = execute({ schema, document: prepared.introspection, variableValues: raw });
        if ('then' in result) throw new Error('Introspection does not resolve synchronously.');
        introspected = result.data ?? undefined;
        execution.errors.push(...(result.errors ?? []));
      }

      if (runs) {
        // Planned with incremental delivery: the initial payload here, the deferred ones in `subsequent`.
        const { operation, fragments, renames } = prepared;
        const labels = prepared.deferLabels!;
        const answer = writeIncrementally({ schema, operation, fragments, variables: coerced.coerced, renames, labels, execution, runs, introspection: introspected, budget });
        if ('tooLarge' in answer) return tooLarge(budget!.limit);
        const errors = renames ? answer.errors.map((error) => renamed(error, renames)) : answer.errors;
        return { status: 200, data: answer.data, errors, ...(answer.subsequent ? { subsequent: answer.subsequent } : {}) };
      }
      return answerOf(shapeFor(prepared, coerced.coerced), execution, budget, prepared.renames, introspected);
    },
    async subscribe(request) {
      let prepared = preparedFor(request);
      if ('then' in prepared) prepared = await prepared;
      if (!prepared.ok) return { status: prepared.status, errors: prepared.errors };
      const node = prepared.plan.node;
      if (node?.kind !== 'Subscription') {
        const message = `Only a subscription can be subscribed to: this operation is a ${prepared.operation.operation}.`;
        return { status: 400, errors: [new GraphQLError(message, { extensions: { code: 'NOT_A_SUBSCRIPTION' } })] };
      }
      const raw = request.variables ?? {};
      const coerced = coercedVariables(prepared, raw);
      if ('status' in coerced) return coerced;
      open++;
      return startSubscription({
        plan: prepared.plan,
        node,
        fetchers,
        supergraphSchema,
        variables: raw,
        coercedVariables: coerced.coerced,
        context: request.context,
        refused: prepared.refused,
        shape: shapeFor(prepared, coerced.coerced),
        renames: prepared.renames,
        onEnd: subscriptionEnded,
      });
    },
    drained: () => (open === 0 ? Promise.resolve() : new Promise((resolve) => idle.push(resolve))),
    get openSubscriptions() {
      return open;
    },
  };
}

/** A subscription sent for one answer: subscribe() streams it; a single answer cannot carry its events. */
function needsStreaming(): ExecutionResult {
  const message = 'A subscription needs a streaming protocol: subscribe over graphql-ws (WebSocket), GraphQL over SSE, or multipart HTTP.';
  return { status: 400, errors: [new GraphQLError(message, { extensions: { code: 'SUBSCRIPTION_NEEDS_STREAMING' } })] };
}
