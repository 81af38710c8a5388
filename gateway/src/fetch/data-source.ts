import type { HeaderRule } from '#lib/header-propagation.js';
import type { Logger } from '#lib/logger.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import { wrapTransport, type SubgraphTransport, type TransportWrapper } from './transport.js';
import { createHttpTransport } from './transports/http/http-transport.js';
import { circuitBreakerWrapper } from './wrappers/circuit-breaker.js';
import { loggingWrapper } from './wrappers/logging.js';
import { metricsWrapper, type SubgraphFetchMetrics } from './wrappers/metrics.js';
import { propagatedHeadersWrapper } from './wrappers/propagated-headers.js';
import { tracingWrapper } from './wrappers/tracing.js';

export type { GatewayContext, SubgraphFetchFailure, SubgraphFetchRequest } from './transport.js';
export type { SubgraphFetchMetrics } from './wrappers/metrics.js';

export type SubgraphDataSourceOptions = {
  name: string;
  url: string;
  logger: Logger;
  /** Production keeps failure details (addresses, network errors) out of client messages. */
  production: boolean;
  /** Longest wait for one fetch's complete answer. */
  timeoutMs?: number;
  /** Larger answers are cut off and fail. */
  maxResponseBytes?: number;
  /** Whether a query whose connection failed before any answer is tried once more. Never a mutation. */
  retry?: boolean;
  breaker?: { failureThreshold: number; resetMs: number; now?: () => number };
  /** Most connections open to the subgraph at once. */
  maxSockets?: number;
  /** Where each fetch's time and each failure are counted (metrics.ts). */
  metrics?: SubgraphFetchMetrics | undefined;
  /** PROPAGATE_HEADERS's rules for this subgraph: the client headers its fetches carry, and under which names. */
  propagateHeaders?: readonly HeaderRule[] | undefined;
  /**
   * The transport to the subgraph; HTTP POST (transports/http/) unless given.
   * The timeout, size, retry and socket settings above are the HTTP one's.
   */
  transport?: ((subgraph: { name: string; url: string }) => SubgraphTransport) | undefined;
};

/** One subgraph's transport with every fetch wrapped, as the executor fetches and the gateway keeps it. */
export type SubgraphDataSource = SubgraphTransport & {
  retire(afterMs: number): void;
  /** For the metrics' circuit gauge, read when scraped. */
  readonly circuitState: CircuitState;
};

export const SUBGRAPH_FETCH_DEFAULTS = {
  timeoutMs: 10_000,
  maxResponseBytes: 16 * 1024 * 1024,
  retry: true,
  breaker: { failureThreshold: 5, resetMs: 10_000 },
} as const;

/**
 * Fetches from one subgraph for the executor's plans: its transport, wrapped
 * outermost first in the trace span (which covers everything, refusals
 * included), the log lines, the metrics, the client headers PROPAGATE_HEADERS
 * forwards to it (when it forwards any), and the circuit breaker (innermost,
 * so the others see its refusals as failures of the fetch).
 */
export function createSubgraphDataSource(options: SubgraphDataSourceOptions): SubgraphDataSource {
  const { name, url, logger } = options;
  const transport =
    options.transport?.({ name, url }) ??
    createHttpTransport({
      name,
      url,
      production: options.production,
      timeoutMs: options.timeoutMs ?? SUBGRAPH_FETCH_DEFAULTS.timeoutMs,
      maxResponseBytes: options.maxResponseBytes ?? SUBGRAPH_FETCH_DEFAULTS.maxResponseBytes,
      retry: options.retry ?? SUBGRAPH_FETCH_DEFAULTS.retry,
      maxSockets: options.maxSockets,
    });
  const breaker = new CircuitBreaker({ name, logger, ...SUBGRAPH_FETCH_DEFAULTS.breaker, ...options.breaker });
  const wrappers: TransportWrapper[] = [tracingWrapper(), loggingWrapper({ url, logger })];
  if (options.metrics) wrappers.push(metricsWrapper(options.metrics));
  if (options.propagateHeaders?.length) wrappers.push(propagatedHeadersWrapper(options.propagateHeaders));
  wrappers.push(circuitBreakerWrapper(breaker));
  const wrapped = wrapTransport(transport, wrappers);
  return {
    name,
    fetch: (request, context) => wrapped.fetch(request, context),
    close: () => wrapped.close(),
    retire: (afterMs) => wrapped.retire(afterMs),
    get circuitState() {
      return breaker.state;
    },
  };
}
