import { SubgraphTransportError } from '#gateway/fetch/subgraph-transport-error.js';
import type { FetchHooks, SubgraphExchange, SubgraphFetchFailure, TransportWrapper } from '#gateway/fetch/transport.js';

export type SubgraphFetchMetrics = {
  /** A fetch was made (answered or failed) and took `seconds`. */
  fetched(seconds: number): void;
  failed(kind: SubgraphFetchFailure): void;
};

/** Counts each fetch's time and each failure by kind (pipeline/gateway-metrics.ts). */
export function metricsWrapper(metrics: SubgraphFetchMetrics): TransportWrapper {
  const hooks = new FetchMetrics(metrics);
  return () => hooks;
}

class FetchMetrics implements FetchHooks<unknown> {
  constructor(private readonly metrics: SubgraphFetchMetrics) {}

  answered(exchange: SubgraphExchange): void {
    this.metrics.fetched(exchange.elapsedMs / 1000);
    // A GraphQL answer with a 5xx is passed on, but it is a failure of the subgraph.
    if (exchange.status >= 500) this.metrics.failed('server-error');
  }

  failed(exchange: SubgraphExchange, error: unknown): void {
    // Not the subgraph's doing (signing the gateway token failed, say): neither timed nor counted.
    if (!(error instanceof SubgraphTransportError)) return;
    // A fetch the circuit refused was never sent: there is no time to count.
    if (error.attempts > 0) this.metrics.fetched(exchange.elapsedMs / 1000);
    this.metrics.failed(error.failure);
  }
}
