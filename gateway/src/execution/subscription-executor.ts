import type { PlanNode, QueryPlan, SubscriptionNode } from '@apollo/query-planner';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { keepTraceContext, withChildSpanAsync } from '#lib/telemetry.js';
import { SubgraphTransportError } from '#gateway/fetch/subgraph-transport-error.js';
import { AnswerBudget, type GatewayContext, type SubgraphAnswerData, type SubgraphFetcher } from '#gateway/fetch/transport.js';
import { answerOf, tooLarge, type ExecutionResult } from './plan-answer.js';
import { executeNode, mergeAnswer, type PlanExecution, type PlanResult } from './query-plan-executor.js';
import type { Data } from './response-tree.js';
import type { Shape } from './response-shape.js';

/** One event of a subscription, as an ExecutionResult; `return()` ends it and unsubscribes from the subgraph. */
export type EventStream = AsyncIterableIterator<ExecutionResult>;

export type SubscriptionStart = {
  plan: QueryPlan;
  node: SubscriptionNode;
  fetchers: Readonly<Record<string, SubgraphFetcher>>;
  supergraphSchema: GraphQLSchema;
  variables: Readonly<Record<string, unknown>>;
  coercedVariables: Readonly<Record<string, unknown>>;
  context: GatewayContext;
  refused?: PlanExecution['refused'];
  /** The operation's response shape, compiled once for the subscription. */
  shape: Shape;
  renames?: ReadonlyMap<string, string> | undefined;
  /** Told once, when the stream ends however it ends (the executor counts open subscriptions). */
  onEnd(): void;
};

/**
 * Starts a subscription planned by Apollo's planner, `Subscription { primary,
 * rest }`: subscribes to the primary fetch's subgraph, and for each of its
 * events runs the rest of the plan on the event's data as a query runs its
 * plan on a root fetch's answer, then writes the event as a query's answer
 * is written: fields from other subgraphs, nulls and errors alike.
 *
 * An event's errors are that event's; the subscription goes on. The subgraph
 * ending it with errors gives them as a last event; its transport failing
 * (refused, connection lost, the subgraph killed) gives one last event with a
 * SUBSCRIPTION_SOURCE_FAILED error naming the subgraph; then the stream is
 * done. An ExecutionResult instead of a stream when it cannot start.
 */
export function startSubscription(start: SubscriptionStart): ExecutionResult | EventStream {
  const primary = start.node.primary;
  const fetcher = start.fetchers[primary.serviceName];
  const variables: Record<string, unknown> = Object.create(null);
  for (const name of primary.variableUsages ?? []) {
    const value = start.variables[name];
    if (value !== undefined) variables[name] = value;
  }
  try {
    if (!fetcher?.subscribe) throw new Error(`The transport to the ${primary.serviceName} subgraph cannot subscribe.`);
    const source = fetcher.subscribe({ query: primary.operation, variables, operationName: primary.operationName }, start.context);
    return new FederatedEvents(start, source);
  } catch (error) {
    start.onEnd();
    return { status: 200, errors: [sourceFailed(primary.serviceName, error)] };
  }
}

class FederatedEvents implements EventStream {
  private done = false;
  /** Each event's trace span under the subscription's request. */
  private readonly traced = keepTraceContext();

  constructor(
    private readonly start: SubscriptionStart,
    private readonly source: AsyncIterableIterator<SubgraphAnswerData>,
  ) {}

  async next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.done) return { value: undefined, done: true };
    let event: IteratorResult<SubgraphAnswerData>;
    try {
      event = await this.source.next();
    } catch (error) {
      // The last event: why the subscription ended. Then done.
      if (this.done) return { value: undefined, done: true };
      this.finish();
      return { value: { status: 200, errors: [sourceFailed(this.start.node.primary.serviceName, error)] }, done: false };
    }
    if (event.done || this.done) {
      this.finish();
      return { value: undefined, done: true };
    }
    const receivedAt = performance.now();
    const subgraph = this.start.node.primary.serviceName;
    try {
      const answer = await this.traced(() => withChildSpanAsync('subscription event', { 'subgraph.name': subgraph }, () => this.run(event.value)));
      answer.receivedAt = receivedAt;
      return { value: answer, done: false };
    } catch (error) {
      // A bug of the gateway's in one event is that event's error, as it would be a query's.
      const message = error instanceof Error ? error.message : 'Unexpected error while running a subscription event.';
      return { value: { status: 200, data: 'null', errors: [new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] }, done: false };
    }
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.done) {
      this.finish();
      void this.source.return?.();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** One event: its data is the root of the response, the rest of the plan fills in the other subgraphs' fields. */
  private async run(response: SubgraphAnswerData): Promise<ExecutionResult> {
    const { start } = this;
    // Each event is an answer of its own: its own budget (MAX_RESPONSE_BYTES), and no request deadline, long passed.
    const limit = start.context.budget?.limit;
    const budget = limit === undefined ? undefined : new AnswerBudget(limit);
    const context: GatewayContext = {
      requestId: start.context.requestId,
      ...(start.context.gatewayToken ? { gatewayToken: start.context.gatewayToken } : {}),
      ...(budget ? { budget } : {}),
      clientHeaders: start.context.clientHeaders,
    };
    const execution: PlanExecution = {
      plan: start.plan,
      fetchers: start.fetchers,
      supergraphSchema: start.supergraphSchema,
      variables: start.variables,
      coercedVariables: start.coercedVariables,
      context,
      refused: start.refused,
    };
    const data: Data = Object.create(null);
    const result: PlanResult = { data, errors: [], escapes: false, failed: new Set(), refused: new Map() };
    const cursor = { root: data, path: [], entities: [data] };
    mergeAnswer(execution, start.node.primary, cursor, response, result);
    const rest: PlanNode | undefined = start.node.rest;
    if (rest && response.data) await executeNode(execution, rest, cursor, result);
    if (budget?.exceeded) return tooLarge(budget.limit);
    return answerOf(start.shape, result, budget, start.renames);
  }

  private finish(): void {
    this.done = true;
    this.start.onEnd();
  }
}

/** The coded error a subscription ends with when its source fails; a transport's message names the subgraph and nothing of where it runs. */
function sourceFailed(subgraph: string, error: unknown): GraphQLError {
  const message = error instanceof SubgraphTransportError ? error.message : `The subscription to the ${subgraph} subgraph failed.`;
  return new GraphQLError(message, {
    extensions: { code: 'SUBSCRIPTION_SOURCE_FAILED', serviceName: subgraph },
    ...(error instanceof Error ? { originalError: error } : {}),
  });
}
