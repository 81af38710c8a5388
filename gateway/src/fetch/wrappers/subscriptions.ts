import { SpanKind, type Span } from '@opentelemetry/api';
import type { Logger } from '#lib/logger.js';
import { markFailed, startChildSpan, tracing } from '#lib/telemetry.js';
import type { CircuitBreaker, CircuitPermit } from '#gateway/fetch/circuit-breaker.js';
import { SubgraphTransportError } from '#gateway/fetch/subgraph-transport-error.js';
import type { GatewayContext, SubgraphFetchRequest, SubgraphResponse } from '#gateway/fetch/transport.js';
import type { SubgraphFetchMetrics } from './metrics.js';

type Subscribe = (request: SubgraphFetchRequest, context: GatewayContext) => AsyncIterableIterator<SubgraphResponse>;

export type SubscriptionGuards = {
  breaker: CircuitBreaker;
  logger: Logger;
  /** For the log only. */
  url: string;
  metrics?: SubgraphFetchMetrics | undefined;
};

/**
 * What the fetch wrappers do, for a subscription: the circuit breaker refuses
 * to start one to a subgraph that keeps failing and hears whether it started
 * (its first event, or its end) or failed; a CLIENT span covers it from start
 * to end; a failure is logged with what the client is not told, and counted.
 * Apart from the fetch hooks (transport.ts) so that a fetch's path costs what
 * it did: a subscription is one long exchange, its events no exchanges at all.
 * Propagated client headers do not apply: a graphql-ws connection is shared.
 */
export function guardSubscriptions(subgraph: string, subscribe: Subscribe, guards: SubscriptionGuards): Subscribe {
  return (request, context) => {
    const permit = guards.breaker.admit();
    if (!permit) {
      throw new SubgraphTransportError(subgraph, 'circuit-open', `The ${subgraph} subgraph is unavailable (circuit open).`, { attempts: 0 });
    }
    const span = tracing()
      ? startChildSpan(
          `subgraph ${subgraph} subscribe`,
          { 'subgraph.name': subgraph, 'graphql.operation.type': 'subscription', ...(request.operationName ? { 'graphql.operation.name': request.operationName } : {}) },
          SpanKind.CLIENT,
        )
      : undefined;
    let source: AsyncIterableIterator<SubgraphResponse>;
    try {
      source = subscribe(request, context);
    } catch (error) {
      permit.abandoned();
      span?.end();
      throw error;
    }
    return new GuardedEvents(subgraph, source, permit, span, guards, context.requestId);
  };
}

class GuardedEvents implements AsyncIterableIterator<SubgraphResponse> {
  private permit: CircuitPermit | undefined;

  constructor(
    private readonly subgraph: string,
    private readonly source: AsyncIterableIterator<SubgraphResponse>,
    permit: CircuitPermit,
    private span: Span | undefined,
    private readonly guards: SubscriptionGuards,
    private readonly requestId: string,
  ) {
    this.permit = permit;
  }

  async next(): Promise<IteratorResult<SubgraphResponse>> {
    let result: IteratorResult<SubgraphResponse>;
    try {
      result = await this.source.next();
    } catch (error) {
      this.failed(error);
      throw error;
    }
    // It started (an event) or ended as the subgraph meant it to: either way the subgraph works.
    this.report('succeeded');
    if (result.done) this.end();
    return result;
  }

  return(): Promise<IteratorResult<SubgraphResponse>> {
    this.report('abandoned');
    this.end();
    return this.source.return?.() ?? Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private failed(error: unknown): void {
    if (!(error instanceof SubgraphTransportError)) {
      this.report('abandoned');
      this.end();
      return;
    }
    this.report(error.failure === 'too-large' ? 'abandoned' : 'failed');
    this.guards.metrics?.failed(error.failure);
    this.guards.logger.error(
      { subgraph: this.subgraph, requestId: this.requestId, url: this.guards.url, failure: error.failure, detail: error.detail, err: error.cause },
      'subgraph subscription failed',
    );
    if (this.span) markFailed(this.span, error.failure);
    this.end();
  }

  /** The permit's one outcome: the first thing that happens to the subscription. */
  private report(outcome: 'succeeded' | 'failed' | 'abandoned'): void {
    const permit = this.permit;
    this.permit = undefined;
    permit?.[outcome]();
  }

  private end(): void {
    this.span?.end();
    this.span = undefined;
  }
}
