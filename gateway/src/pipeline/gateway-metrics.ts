import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PoolUse } from '#lib/db-pool.js';
import { operationLabels, outcomeOf, registerPoolMetrics, REQUEST_SECONDS, SeriesHistogram } from '#lib/metrics.js';
import type { CircuitState } from '#gateway/fetch/circuit-breaker.js';
import type { SubgraphFetchFailure } from '#gateway/fetch/transport.js';
import type { SubgraphFetchMetrics } from '#gateway/fetch/wrappers/metrics.js';

/**
 * The gateway's Prometheus metrics (served at /metrics, see lib/metrics.ts).
 * The hot path only increments and observes; anything that can be read off
 * the gateway's state (circuits, the database pool) is read when scraped.
 */
export type GatewayMetrics = {
  /**
   * The label for an operation that passed validation: its name, "anonymous",
   * or "other" past the first MAX_OPERATION_NAMES distinct names.
   */
  operationLabel(name: string | undefined): string;
  /** One operation answered: `operation` is operationLabel's, or undefined when none passed validation ("unknown"). */
  request(operation: string | undefined, status: number, hasErrors: boolean, seconds: number): void;
  /** What the executor's plan cache did for one operation. */
  planCache(hit: boolean): void;
  /** A new operation validated and planned (once, however many requests asked for it), or its plan over PLAN_TIMEOUT_MS. */
  planned(seconds: number, outcome: 'planned' | 'refused' | 'timeout'): void;
  /** A request refused with 429, limited by address or by API key. */
  rateLimited(by: 'address' | 'api_key'): void;
  /** An operation's estimated cost (demand control), refused ones included. */
  costEstimated(cost: number): void;
  /** An answer's actual cost, measured when its client asked for it. */
  costActual(cost: number): void;
  /** An operation refused as too expensive, by whose limit: an API key's, a contract's, the anonymous one or MAX_COST. */
  costRefused(budget: 'api_key' | 'contract' | 'anonymous' | 'default'): void;
  /** The recorder of one subgraph's fetches. */
  subgraph(name: string): SubgraphFetchMetrics;
  /** A supergraph loaded (at the start, or a hot reload), or refused as invalid while the current one serves on. */
  supergraph(outcome: 'success' | 'failure'): void;
};

const FETCH_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const CIRCUIT_STATES: readonly CircuitState[] = ['closed', 'half-open', 'open'];
/** Operation costs span from a field to a fan-out of millions; MAX_COST is 50,000 unless set. */
const COST_BUCKETS = [1, 10, 100, 500, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 1_000_000];

export type GatewayMetricsOptions = {
  registry: Registry;
  /** The subgraphs' data sources, whose circuits are read when scraped. */
  circuits(): Iterable<{ name: string; circuitState: CircuitState }>;
  /** The pool of the gateway's database (API keys), when it has one. */
  pool?: PoolUse | undefined;
};

export function createGatewayMetrics({ registry, circuits, pool }: GatewayMetricsOptions): GatewayMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: 'junction_gateway_requests_total',
    help: 'GraphQL operations by operation name and outcome: ok, errors (200 with errors), refused (4xx), failed (5xx).',
    labelNames: ['operation', 'outcome'],
    registers,
  });
  const duration = new SeriesHistogram({
    name: 'junction_gateway_request_duration_seconds',
    help: 'Time from a request arriving to its answer, by operation name.',
    labelNames: ['operation'],
    buckets: REQUEST_SECONDS,
    registers,
  });
  const planning = new Histogram({
    name: 'junction_gateway_query_planning_duration_seconds',
    help: 'Time to validate and plan each new operation, by outcome: planned, refused (invalid, or the planner failed) or timeout (over PLAN_TIMEOUT_MS).',
    labelNames: ['outcome'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const fetchDuration = new SeriesHistogram({
    name: 'junction_gateway_subgraph_fetch_duration_seconds',
    help: 'Time of each fetch from a subgraph, failed ones included, by subgraph.',
    labelNames: ['subgraph'],
    buckets: FETCH_SECONDS,
    registers,
  });
  const fetchErrors = new Counter({
    name: 'junction_gateway_subgraph_fetch_errors_total',
    help: 'Failed subgraph fetches by subgraph and kind: timeout, deadline, unreachable, interrupted, non-graphql, too-large, over-budget (a request past MAX_RESPONSE_BYTES), invalid-json, server-error (a GraphQL answer with a 5xx), circuit-open (not sent).',
    labelNames: ['subgraph', 'kind'],
    registers,
  });
  new Gauge({
    name: 'junction_gateway_subgraph_circuit_state',
    help: "Each subgraph's circuit breaker: 1 for its current state (closed, half-open or open), 0 for the others.",
    labelNames: ['subgraph', 'state'],
    registers,
    collect() {
      for (const { name, circuitState: state } of circuits()) {
        for (const each of CIRCUIT_STATES) this.set({ subgraph: name, state: each }, each === state ? 1 : 0);
      }
    },
  });
  const planHits = new Counter({
    name: 'junction_gateway_plan_cache_hits_total',
    help: 'Operations whose validated plan was in the plan cache.',
    registers,
  });
  const planMisses = new Counter({
    name: 'junction_gateway_plan_cache_misses_total',
    help: 'Operations validated (and planned, when valid) anew: not in the plan cache.',
    registers,
  });
  const rateLimited = new Counter({
    name: 'junction_gateway_rate_limited_total',
    help: 'Requests refused with 429 by the rate limit, by what was limited: the address or the API key.',
    labelNames: ['by'],
    registers,
  });
  const costs = new SeriesHistogram({
    name: 'junction_gateway_operation_cost',
    help: "Operations' cost (demand control), by kind: estimated (every operation, before it runs) or actual (measured over the answer, when the client asked for it).",
    labelNames: ['kind'],
    buckets: COST_BUCKETS,
    registers,
  });
  const costRefused = new Counter({
    name: 'junction_gateway_cost_refused_total',
    help: 'Operations refused with COST_ESTIMATED_TOO_EXPENSIVE, by whose limit: api_key (its own), contract, anonymous or default (MAX_COST).',
    labelNames: ['budget'],
    registers,
  });
  const reloads = new Counter({
    name: 'junction_gateway_supergraph_reloads_total',
    help: 'Supergraphs handed to the gateway after the first (hot reloads), by outcome: success (now serving) or failure (invalid; the previous one serves on).',
    labelNames: ['outcome'],
    registers,
  });
  const loadedAt = new Gauge({
    name: 'junction_gateway_supergraph_loaded_timestamp_seconds',
    help: 'When the supergraph now serving was loaded, in seconds since the Unix epoch.',
    registers,
  });
  // Both outcomes exist from the start, so a rate over them never lacks a series.
  reloads.inc({ outcome: 'success' }, 0);
  reloads.inc({ outcome: 'failure' }, 0);
  if (pool) registerPoolMetrics(registry, pool);

  let loaded = false;
  const operationLabel = operationLabels();
  // One series per operation label, which operationLabel bounds.
  const durations = new Map<string, (seconds: number) => void>();
  return {
    operationLabel,
    request(operation = 'unknown', status, hasErrors, seconds) {
      requests.inc({ operation, outcome: outcomeOf(status, hasErrors) });
      let observe = durations.get(operation);
      if (!observe) durations.set(operation, (observe = duration.series({ operation })));
      observe(seconds);
    },
    planCache: (hit) => (hit ? planHits.inc() : planMisses.inc()),
    planned: (seconds, outcome) => planning.observe({ outcome }, seconds),
    rateLimited: (by) => rateLimited.inc({ by }),
    costEstimated: costs.series({ kind: 'estimated' }),
    costActual: costs.series({ kind: 'actual' }),
    costRefused: (budget) => costRefused.inc({ budget }),
    subgraph(name) {
      return {
        fetched: fetchDuration.series({ subgraph: name }),
        failed: (kind: SubgraphFetchFailure) => fetchErrors.inc({ subgraph: name, kind }),
      };
    },
    supergraph(outcome) {
      if (outcome === 'success') loadedAt.setToCurrentTime();
      // The first supergraph is the start, not a reload.
      if (loaded) reloads.inc({ outcome });
      loaded ||= outcome === 'success';
    },
  };
}
