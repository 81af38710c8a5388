import { SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '#lib/errors.js';
import { GATEWAY_HEADER } from '#lib/identity.js';
import type { Logger } from '#lib/logger.js';
import { errorType, injectTraceHeaders, markFailed, startChildSpan, tracing } from '#lib/telemetry.js';
import type { SubgraphFetcher } from '#gateway/execution/query-plan-executor.js';
import { CircuitBreaker, type CircuitPermit, type CircuitState } from './circuit-breaker.js';
import { SubgraphClient, SubgraphFetchError, type SubgraphFailure, type SubgraphResponse } from '#gateway/fetch/transports/http/subgraph-client.js';

/** What the gateway keeps of each incoming request, for the fetches it makes. */
export type GatewayContext = {
  requestId: string;
  /** The whole request's deadline: fetches still running when it aborts are abandoned. */
  signal?: AbortSignal;
  /** The caller's identity, signed for the subgraphs (header `x-junction-gateway`). */
  gatewayToken?: () => Promise<string>;
};

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
};

/** One operation for a subgraph, as the query planner made it. */
export type SubgraphFetchRequest = {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string | undefined;
  extensions?: Record<string, unknown> | undefined;
};

/** How a fetch failed, for the metrics: as the subgraph client saw it, a GraphQL answer with a 5xx, or refused by an open circuit. */
export type SubgraphFetchFailure = SubgraphFailure | 'server-error' | 'circuit-open';

export type SubgraphFetchMetrics = {
  /** A fetch was made (answered or failed) and took `seconds`. */
  fetched(seconds: number): void;
  failed(kind: SubgraphFetchFailure): void;
};

export const SUBGRAPH_FETCH_DEFAULTS = {
  timeoutMs: 10_000,
  maxResponseBytes: 16 * 1024 * 1024,
  retry: true,
  breaker: { failureThreshold: 5, resetMs: 10_000 },
} as const;

/** Distinct subgraph queries whose JSON text is kept; past it, the cache starts again. */
const ENCODED_QUERIES = 1_000;

/** Operations planned for a subgraph start with their type; anything not surely a query is never retried. */
const QUERY = /^\s*(query\b|\{)/;

/**
 * Fetches from one subgraph for the executor's plans. Every way the subgraph
 * can fail (down, slow, killed mid-answer, HTML, garbage, huge, failing over
 * and over) becomes a DOWNSTREAM_SERVICE_ERROR naming the subgraph and the
 * kind of failure, which the gateway puts on the affected fields while the
 * rest of the data stands. Addresses and bodies go to the log only.
 */
export class SubgraphDataSource implements SubgraphFetcher {
  readonly name: string;
  private readonly url: string;
  private readonly logger: Logger;
  private readonly production: boolean;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly retry: boolean;
  private readonly client: SubgraphClient;
  private readonly breaker: CircuitBreaker;
  private readonly encodedQueries = new Map<string, string>();
  private readonly metrics: SubgraphFetchMetrics | undefined;
  /** What every fetch span says about the subgraph; the URL without user or password. */
  private readonly spanAttributes: Attributes;

  constructor(options: SubgraphDataSourceOptions) {
    this.name = options.name;
    this.url = options.url;
    this.logger = options.logger;
    this.production = options.production;
    this.timeoutMs = options.timeoutMs ?? SUBGRAPH_FETCH_DEFAULTS.timeoutMs;
    this.maxResponseBytes = options.maxResponseBytes ?? SUBGRAPH_FETCH_DEFAULTS.maxResponseBytes;
    this.retry = options.retry ?? SUBGRAPH_FETCH_DEFAULTS.retry;
    this.metrics = options.metrics;
    const url = new URL(options.url);
    this.spanAttributes = {
      'subgraph.name': options.name,
      'http.request.method': 'POST',
      'url.full': `${url.origin}${url.pathname}`,
      'server.address': url.hostname,
      'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    };
    this.client = new SubgraphClient({
      url: options.url,
      ...(options.maxSockets ? { maxSockets: options.maxSockets } : {}),
    });
    this.breaker = new CircuitBreaker({
      name: options.name,
      logger: options.logger,
      ...SUBGRAPH_FETCH_DEFAULTS.breaker,
      ...options.breaker,
    });
  }

  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  /** Sends one operation to the subgraph, as the identity in `context`, and returns its parsed answer. */
  fetch(request: SubgraphFetchRequest, context: GatewayContext | undefined): Promise<SubgraphResponse> {
    if (!tracing()) return this.send(request, context, undefined);
    // A CLIENT span per fetch (retry included), whose traceparent the subgraph's request span continues.
    const span = startChildSpan(
      `subgraph ${this.name}`,
      request.operationName ? { ...this.spanAttributes, 'graphql.operation.name': request.operationName } : this.spanAttributes,
      SpanKind.CLIENT,
    );
    if (!span) return this.send(request, context, undefined);
    // send() has marked how it failed.
    return this.send(request, context, span).finally(() => span.end());
  }

  private async send(request: SubgraphFetchRequest, context: GatewayContext | undefined, span: Span | undefined): Promise<SubgraphResponse> {
    const { query, variables, operationName, extensions } = request;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json;q=0.9',
    };
    if (context) headers['x-request-id'] = context.requestId;
    if (span) injectTraceHeaders(span, headers);

    const permit = this.breaker.admit();
    if (!permit) {
      // The opening was logged once, as a warning; one line per refused fetch would flood the log.
      this.logger.debug({ subgraph: this.name, requestId: context?.requestId }, 'subgraph fetch refused: circuit open');
      this.failed('circuit-open', span);
      throw this.downstreamError(`The ${this.name} subgraph is unavailable (circuit open).`);
    }
    const started = performance.now();
    try {
      const token = await context?.gatewayToken?.();
      if (token) headers[GATEWAY_HEADER] = token;
      const answer = await this.client.fetch({
        body: Buffer.from(
          `{"query":${this.encoded(query)},"variables":${JSON.stringify(variables)}` +
            `${operationName ? `,"operationName":${JSON.stringify(operationName)}` : ''}` +
            `${extensions ? `,"extensions":${JSON.stringify(extensions)}` : ''}}`,
        ),
        headers,
        timeoutMs: this.timeoutMs,
        maxResponseBytes: this.maxResponseBytes,
        retry: this.retry && QUERY.test(query),
        ...(context?.signal ? { signal: context.signal } : {}),
      });
      this.metrics?.fetched((performance.now() - started) / 1000);
      span?.setAttributes({ 'http.response.status_code': answer.status, 'http.request.resend_count': answer.attempts - 1 });
      // A GraphQL answer with a 5xx is passed on (its errors say what went wrong),
      // but it still counts against the subgraph.
      if (answer.status >= 500) {
        permit.failed();
        this.failed('server-error', span);
        this.logger.error(
          { subgraph: this.name, requestId: context?.requestId, url: this.url, status: answer.status },
          'subgraph answered with a server error',
        );
      } else permit.succeeded();
      if (answer.attempts > 1) {
        const retried = { subgraph: this.name, requestId: context?.requestId, url: this.url };
        this.logger.warn(retried, 'subgraph fetch retried');
      }
      return answer.body;
    } catch (error) {
      if (!(error instanceof SubgraphFetchError)) {
        // Not the subgraph's doing: signing the gateway token failed, say.
        permit.abandoned();
        if (span) markFailed(span, errorType(error));
        throw error;
      }
      report(permit, error.failure);
      this.metrics?.fetched((performance.now() - started) / 1000);
      span?.setAttributes({
        ...(error.status ? { 'http.response.status_code': error.status } : {}),
        'http.request.resend_count': error.attempts - 1,
      });
      this.failed(error.failure, span);
      this.logger.error(
        {
          subgraph: this.name,
          requestId: context?.requestId,
          url: this.url,
          failure: error.failure,
          detail: error.message,
          status: error.status,
          body: error.bodyExcerpt,
          attempts: error.attempts,
          elapsedMs: Math.round(performance.now() - started),
          err: error.cause ?? error,
        },
        'subgraph fetch failed',
      );
      const detail = this.production ? '' : ` Detail: ${error.message}.`;
      throw this.downstreamError(`${this.messageFor(error)}${detail}`);
    }
  }

  /**
   * A query's text as a JSON string. The planner sends the same few queries
   * over and over, some of them kilobytes long: each is escaped once.
   */
  private encoded(query: string): string {
    let encoded = this.encodedQueries.get(query);
    if (encoded === undefined) {
      if (this.encodedQueries.size >= ENCODED_QUERIES) this.encodedQueries.clear();
      encoded = JSON.stringify(query);
      this.encodedQueries.set(query, encoded);
    }
    return encoded;
  }

  /** Counts a failed fetch, and marks its span with the kind of failure. */
  private failed(kind: SubgraphFetchFailure, span: Span | undefined): void {
    this.metrics?.failed(kind);
    if (span) markFailed(span, kind);
  }

  /** Closes the pooled connections to the subgraph. */
  close(): void {
    this.client.close();
  }

  /**
   * For a subgraph a reloaded supergraph no longer routes to: requests that
   * started before the reload may still fetch from it for `afterMs` (their
   * deadline); then it takes no new fetches and closes once those under way
   * are answered.
   */
  retire(afterMs: number): void {
    setTimeout(() => this.client.retire(), afterMs).unref();
  }

  /** What the client is told: the subgraph and the kind of failure, nothing about where it runs. */
  private messageFor(error: SubgraphFetchError): string {
    const subgraph = `The ${this.name} subgraph`;
    switch (error.failure) {
      case 'timeout':
        return `${subgraph} timed out (no answer within ${this.timeoutMs} ms).`;
      case 'deadline':
        return `${subgraph} timed out (the request's deadline passed).`;
      case 'unreachable':
        return `${subgraph} is unreachable.`;
      case 'interrupted':
        return `${subgraph} broke off its answer.`;
      case 'non-graphql':
        return `${subgraph} answered with a non-GraphQL response (HTTP ${error.status ?? 0}).`;
      case 'too-large':
        return `${subgraph} answered with a response that is too large (over ${this.maxResponseBytes} bytes).`;
      case 'invalid-json':
        return `${subgraph} answered with invalid JSON.`;
    }
  }

  private downstreamError(message: string): GraphQLError {
    return new GraphQLError(message, {
      extensions: { code: ErrorCode.DOWNSTREAM_SERVICE_ERROR, serviceName: this.name },
    });
  }
}

/**
 * Which failures say the subgraph is unwell. A deadline is the caller giving
 * up; an answer too large is the query's size, from a subgraph that answered.
 */
function report(permit: CircuitPermit, failure: SubgraphFailure): void {
  if (failure === 'deadline') permit.abandoned();
  else if (failure === 'too-large') permit.succeeded();
  else permit.failed();
}
