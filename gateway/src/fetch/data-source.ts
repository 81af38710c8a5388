import type { HeaderRule } from '#lib/header-propagation.js';
import type { Logger } from '#lib/logger.js';
import type { SubscriptionRoute } from '#lib/subscription-transports.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import { wrapTransport, type GatewayContext, type SubgraphFetchRequest, type SubgraphResponse, type SubgraphTransport, type TransportWrapper } from './transport.js';
import { createHttpTransport } from './transports/http/http-transport.js';
import { createSseTransport } from './transports/sse/sse-transport.js';
import { SUBSCRIPTION_DEFAULTS, websocketUrl, type SubscriptionTransport } from './transports/subscription-transport.js';
import { createWsTransport } from './transports/ws/ws-transport.js';
import { guardSubscriptions } from './wrappers/subscriptions.js';
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
  /**
   * How it subscribes (SUBSCRIPTION_TRANSPORTS): graphql-ws at the routing URL
   * unless given. Ignored when `transport` makes a transport that subscribes itself.
   */
  subscriptions?: SubscriptionRoute | undefined;
  /** Events kept for a consumer that falls behind, before its subscription fails. */
  maxPendingEvents?: number | undefined;
  /** How often graphql-ws pings the subgraph; a connection without a pong within as long again is cut. */
  keepAliveMs?: number | undefined;
};

/** One subgraph's transport with every fetch wrapped, as the executor fetches and the gateway keeps it. */
export type SubgraphDataSource = SubgraphTransport & {
  retire(afterMs: number): void;
  subscribe(request: SubgraphFetchRequest, context: GatewayContext): AsyncIterableIterator<SubgraphResponse>;
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
  // The transport's own subscribe (an embedder's or a test's), else graphql-ws or SSE as configured.
  const own = transport.subscribe?.bind(transport);
  const routed = own ? undefined : subscriptionTransport(options);
  const subscriptions = routed?.transport;
  const subscribe = guardSubscriptions(name, own ?? ((request, context) => subscriptions!.subscribe(request, context)), {
    breaker,
    logger,
    url: routed?.url ?? url,
    metrics: options.metrics,
  });
  return {
    name,
    fetch: (request, context) => wrapped.fetch(request, context),
    subscribe,
    close: () => {
      wrapped.close();
      subscriptions?.close();
    },
    retire: (afterMs) => {
      wrapped.retire(afterMs);
      subscriptions?.retire(afterMs);
    },
    get circuitState() {
      return breaker.state;
    },
  };
}

/** The graphql-ws (default) or SSE transport SUBSCRIPTION_TRANSPORTS gives the subgraph. */
function subscriptionTransport(options: SubgraphDataSourceOptions): { transport: SubscriptionTransport; url: string } {
  const route = options.subscriptions ?? { protocol: 'ws' };
  const url = route.url ?? options.url;
  const settings = {
    name: options.name,
    production: options.production,
    maxEventBytes: options.maxResponseBytes ?? SUBGRAPH_FETCH_DEFAULTS.maxResponseBytes,
    maxPendingEvents: options.maxPendingEvents ?? SUBSCRIPTION_DEFAULTS.maxPendingEvents,
    keepAliveMs: options.keepAliveMs ?? SUBSCRIPTION_DEFAULTS.keepAliveMs,
  };
  if (route.protocol === 'sse') return { transport: createSseTransport({ ...settings, url }), url };
  const ws = websocketUrl(url);
  return { transport: createWsTransport({ ...settings, url: ws }), url: ws };
}
