import { GATEWAY_HEADER } from '#lib/identity.js';
import { SubgraphTransportError } from '#gateway/fetch/subgraph-transport-error.js';
import type { GatewayContext, SubgraphExchange, SubgraphFetchRequest, SubgraphResponse, SubgraphTransport } from '#gateway/fetch/transport.js';
import { SubgraphClient, SubgraphFetchError, type SubgraphAnswer } from './subgraph-client.js';

export type HttpTransportOptions = {
  name: string;
  url: string;
  /** Production (the default) keeps failure details (addresses, network errors) out of client messages. */
  production?: boolean;
  /** Longest wait for one fetch's complete answer, retry included. */
  timeoutMs: number;
  /** Larger answers are cut off and fail. */
  maxResponseBytes: number;
  /** Whether a query whose connection failed before any answer is tried once more. Never a mutation. */
  retry: boolean;
  /** Most connections open to the subgraph at once. */
  maxSockets?: number | undefined;
};

const ACCEPT = 'application/graphql-response+json, application/json;q=0.9';

/** Distinct subgraph queries whose JSON text is kept; past it, the cache starts again. */
const ENCODED_QUERIES = 1_000;

/** Operations planned for a subgraph start with their type; anything not surely a query is never retried. */
const QUERY = /^\s*(query\b|\{)/;

/** The GraphQL-over-HTTP POST transport: the gateway's default for every subgraph. */
export function createHttpTransport(options: HttpTransportOptions): SubgraphTransport {
  return new HttpTransport(options);
}

/**
 * POSTs operations to one subgraph through SubgraphClient (undici), which
 * owns the per-attempt socket behaviour: the time limit, the request's
 * deadline, the size limit, and the one retry of a connection that failed
 * before any answer. Every way the subgraph can fail (down, slow, killed
 * mid-answer, HTML, garbage, huge) becomes a SubgraphTransportError naming
 * the subgraph and the kind of failure, which the gateway puts on the
 * affected fields while the rest of the data stands. Addresses and bodies
 * go to the log only (wrappers/logging.ts).
 */
class HttpTransport implements SubgraphTransport {
  readonly name: string;
  readonly spanAttributes: Readonly<Record<string, string | number>>;
  private readonly production: boolean;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly retry: boolean;
  private readonly client: SubgraphClient;
  private readonly encodedQueries = new Map<string, string>();

  constructor(options: HttpTransportOptions) {
    this.name = options.name;
    this.production = options.production ?? true;
    this.timeoutMs = options.timeoutMs;
    this.maxResponseBytes = options.maxResponseBytes;
    this.retry = options.retry;
    const url = new URL(options.url);
    // The URL without user or password.
    this.spanAttributes = {
      'http.request.method': 'POST',
      'url.full': `${url.origin}${url.pathname}`,
      'server.address': url.hostname,
      'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    };
    this.client = new SubgraphClient(options.maxSockets ? { url: options.url, maxSockets: options.maxSockets } : { url: options.url });
  }

  /** Sends one operation to the subgraph, as the identity in `context`, and returns its parsed answer. */
  async fetch(request: SubgraphFetchRequest, context: GatewayContext | undefined, exchange?: SubgraphExchange): Promise<SubgraphResponse> {
    const { query, variables, operationName, extensions } = request;
    // The wrappers' headers (the trace context), if any, are this request's headers.
    const headers = exchange?.headers ?? {};
    headers['content-type'] = 'application/json';
    headers.accept = ACCEPT;
    if (context) headers['x-request-id'] = context.requestId;
    let answer: SubgraphAnswer;
    try {
      const token = await context?.gatewayToken?.();
      if (token) headers[GATEWAY_HEADER] = token;
      const body = Buffer.from(
        `{"query":${this.encoded(query)},"variables":${JSON.stringify(variables)}` +
          `${operationName ? `,"operationName":${JSON.stringify(operationName)}` : ''}` +
          `${extensions ? `,"extensions":${JSON.stringify(extensions)}` : ''}}`,
      );
      headers['content-length'] = String(body.length);
      answer = await this.client.fetch({
        body,
        headers,
        timeoutMs: this.timeoutMs,
        maxResponseBytes: this.maxResponseBytes,
        budget: context?.budget,
        retry: this.retries(query),
        signal: context?.signal,
      });
    } catch (error) {
      // Anything else is not the subgraph's doing (signing the gateway token failed, say) and passes as it is.
      const failure = error instanceof SubgraphFetchError ? this.transportError(error) : error;
      exchange?.failed(failure);
      throw failure;
    }
    // A GraphQL answer with a 5xx is passed on (its errors say what went wrong); the wrappers count it against the subgraph.
    exchange?.answered(answer.status, answer.attempts);
    return answer.body;
  }

  /** Whether a connection that failed before any answer may be tried again: for queries only, as a mutation may have run anyway. */
  private retries(query: string): boolean {
    return this.retry && QUERY.test(query);
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

  private transportError(error: SubgraphFetchError): SubgraphTransportError {
    const detail = this.production ? '' : ` Detail: ${error.message}.`;
    return new SubgraphTransportError(this.name, error.failure, `${this.messageFor(error)}${detail}`, {
      status: error.status,
      attempts: error.attempts,
      detail: error.message,
      bodyExcerpt: error.bodyExcerpt,
      cause: error.cause ?? error,
    });
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
      case 'over-budget':
        return `${subgraph}'s answer was cut off: the request's answers passed the gateway's limit.`;
    }
  }
}
