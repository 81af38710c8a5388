import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type HistogramConfiguration } from 'prom-client';
import type { PoolUse } from './db-pool.js';
import { sendError, type Handler } from './http.js';

/**
 * What the gateway and the subgraphs share for `GET /metrics` (Prometheus text
 * format, prom-client): a registry per server, the process metrics, the
 * handler, bounded operation names, request outcomes and database pool use.
 * Each server has its own Registry, never prom-client's global one, so several
 * servers in one process (`npm start`, the tests) keep their counts apart.
 */

/**
 * What a request came to: `ok`, `errors` (answered 200 with errors),
 * `refused` (4xx: limits, credentials, rate limit, a bad request) or `failed` (5xx).
 */
export type Outcome = 'ok' | 'errors' | 'refused' | 'failed';

export function outcomeOf(status: number, hasErrors: boolean): Outcome {
  if (status >= 500) return 'failed';
  if (status >= 400) return 'refused';
  return hasErrors ? 'errors' : 'ok';
}

/** Request latencies, in seconds: 5 ms to the gateway's 60 s request deadline. */
export const REQUEST_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type HistogramData<T extends string> = Awaited<ReturnType<Histogram<T>['get']>>;
type Series = { labels: Record<string, string>; buckets: Float64Array; sum: number; count: number };

/**
 * A prom-client Histogram for hot paths. Each label set is made once, with
 * `series(labels)`; an observation is then a bucket search and three
 * additions. prom-client's own `observe` allocates a closure, an object and a
 * label hash per call, which the profile showed at 1-2% of the gateway's CPU
 * (16 subgraph fetches per request). The registry reads it like every other histogram.
 * Observe only through `series`: `observe` would go to storage that is never read.
 */
export class SeriesHistogram<T extends string> extends Histogram<T> {
  readonly #name: string;
  readonly #help: string;
  readonly #bounds: readonly number[];
  readonly #series: Series[] = [];

  constructor(config: HistogramConfiguration<T> & { buckets: number[] }) {
    super(config);
    this.#name = config.name;
    this.#help = config.help;
    this.#bounds = config.buckets;
  }

  /** The observer of one label set: make it once, call it per observation. */
  series(labels: Record<T, string>): (value: number) => void {
    const bounds = this.#bounds;
    const series: Series = { labels, buckets: new Float64Array(bounds.length), sum: 0, count: 0 };
    this.#series.push(series);
    return (value) => {
      series.sum += value;
      series.count += 1;
      for (let i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]!) {
          series.buckets[i]! += 1;
          return;
        }
      }
    };
  }

  override async get(): Promise<HistogramData<T>> {
    const bucket = `${this.#name}_bucket`;
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const { labels, buckets, sum, count } of this.#series) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += buckets[i]!;
        values.push({ metricName: bucket, labels: { ...labels, le }, value: cumulative });
      });
      values.push({ metricName: bucket, labels: { ...labels, le: '+Inf' }, value: count });
      values.push({ metricName: `${this.#name}_sum`, labels, value: sum });
      values.push({ metricName: `${this.#name}_count`, labels, value: count });
    }
    // The shape prom-client's registry reads (its type also lists a `collect` that get() never returns).
    return { name: this.#name, help: this.#help, type: 'histogram', aggregator: 'sum', values } as unknown as HistogramData<T>;
  }

  /** What the registry reads for the text format. */
  getForPromString(): Promise<HistogramData<T>> {
    return this.get();
  }
}

let processRegistry: Registry | undefined;

/**
 * Process metrics (CPU, memory, heap, event loop lag, GC, handles), collected
 * once per process: they describe the process, not a server in it, and
 * prom-client's collectors cannot be stopped (a GC observer per registry would
 * keep every gateway a test file builds alive).
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** A server's own registry; the process metrics are added when it is scraped. */
export function createRegistry(): Registry {
  processMetrics();
  return new Registry();
}

/** `GET /metrics`: the server's registry, then the process metrics, in Prometheus text format. */
export function metricsHandler(registry: Registry): Handler {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'Metrics are read with GET.');
    }
    const text = (await registry.metrics()) + '\n' + (await processMetrics().metrics());
    res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
}

/** Distinct operation names labelled as themselves; later ones are "other". */
export const MAX_OPERATION_NAMES = 200;
const MAX_NAME_LENGTH = 100;

/**
 * Operation names as label values, bounded: the first `max` distinct names
 * seen, then "other"; anonymous operations are "anonymous". Give it only names
 * of operations that passed validation, so junk never takes a place.
 */
export function operationLabels(max = MAX_OPERATION_NAMES): (name: string | undefined) => string {
  const seen = new Set<string>();
  return (name) => {
    if (name === undefined) return 'anonymous';
    if (seen.has(name)) return name;
    if (seen.size >= max || name.length > MAX_NAME_LENGTH) return 'other';
    seen.add(name);
    return name;
  };
}

/** Gauges of a database pool's use, read when scraped: `junction_db_pool_{size,in_use,waiting}`. */
export function registerPoolMetrics(registry: Registry, pool: PoolUse): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('junction_db_pool_size', 'Most database connections the pool opens.', () => pool.size);
  gauge('junction_db_pool_in_use', 'Database connections running a statement or transaction.', () => pool.inUse);
  gauge('junction_db_pool_waiting', 'Statements and transactions waiting for a free connection.', () => pool.waiting);
}

/**
 * A subgraph's request metrics: `junction_subgraph_requests_total` and
 * `junction_subgraph_request_duration_seconds`, by outcome. The gateway sees
 * per-operation figures; a subgraph's operations are the planner's.
 */
export type SubgraphMetrics = {
  /** Times and counts every request the handler answers. */
  instrument(handler: Handler): Handler;
  /** Links a GraphQL context to its HTTP request, so `plugin` can mark answers with errors. */
  track<TContext extends BaseContext>(req: IncomingMessage, context: TContext): TContext;
  /** For Apollo Server: notes which requests were answered with errors. */
  plugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext>;
};

/** Where `track` keeps a context's HTTP request. */
const REQUEST = Symbol('metrics request');

export function createSubgraphMetrics(registry: Registry, subgraph: string): SubgraphMetrics {
  const requests = new Counter({
    name: 'junction_subgraph_requests_total',
    help: 'Requests to the subgraph by outcome: ok, errors (200 with errors), refused (4xx), failed (5xx).',
    labelNames: ['subgraph', 'outcome'],
    registers: [registry],
  });
  const duration = new SeriesHistogram({
    name: 'junction_subgraph_request_duration_seconds',
    help: 'Time from a request to the subgraph arriving to its answer, by outcome.',
    labelNames: ['subgraph', 'outcome'],
    buckets: REQUEST_SECONDS,
    registers: [registry],
  });
  const series = (outcome: Outcome) => {
    const labels = { subgraph, outcome };
    return { labels, observe: duration.series(labels) };
  };
  const byOutcome = { ok: series('ok'), errors: series('errors'), refused: series('refused'), failed: series('failed') };
  const withErrors = new WeakSet<IncomingMessage>();

  const record = (outcome: Outcome, started: number) => {
    requests.inc(byOutcome[outcome].labels);
    byOutcome[outcome].observe((performance.now() - started) / 1000);
  };

  return {
    instrument: (handler) => async (req, res) => {
      const started = performance.now();
      try {
        await handler(req, res);
      } catch (error) {
        record('failed', started);
        throw error;
      }
      record(outcomeOf(res.statusCode, withErrors.has(req)), started);
    },
    track(req, context) {
      // A property, not a WeakMap of contexts: Apollo Server hands plugins a shallow copy of the context.
      (context as Record<symbol, unknown>)[REQUEST] = req;
      return context;
    },
    plugin: () => ({
      async requestDidStart() {
        return {
          async willSendResponse({ contextValue, response }) {
            if (response.body.kind !== 'single' || !response.body.singleResult.errors?.length) return;
            const req = (contextValue as Record<symbol, unknown>)[REQUEST];
            if (req) withErrors.add(req as IncomingMessage);
          },
        };
      },
    }),
  };
}
