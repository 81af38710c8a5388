import type { Dispatcher } from 'undici';
import { Pool } from 'undici';
import type { AnswerBudget } from '#gateway/fetch/transport.js';
import { EXCERPT_BYTES, GRAPHQL_CONTENT_TYPE, readAnswer, SubgraphFetchError, type SubgraphResponse } from '#gateway/fetch/subgraph-answer.js';

export { NO_ESCAPES, SubgraphFetchError, type SubgraphFailure, type SubgraphResponse } from '#gateway/fetch/subgraph-answer.js';

export type SubgraphAnswer = { status: number; body: SubgraphResponse; attempts: number };

export type SubgraphRequest = {
  /** The JSON request body, already serialized. */
  body: Buffer;
  /** Sent as they are, content-length included: every attempt sends the same ones, so they are not copied per fetch. */
  headers: Record<string, string>;
  /** Longest wait for the complete answer, retry included. */
  timeoutMs: number;
  /** The whole incoming request's deadline; aborting it abandons the fetch. */
  signal?: AbortSignal;
  /** Larger answers are cut off as soon as they pass this, never buffered. */
  maxResponseBytes: number;
  /** The whole request's answers, this one's bytes counted in as they arrive: cut off as soon as they pass its limit. */
  budget?: AnswerBudget | undefined;
  /**
   * Whether a connection that fails before any byte of the answer is tried
   * once more. Safe for queries only: a mutation may have run anyway.
   */
  retry: boolean;
};

export type SubgraphClientOptions = {
  url: string;
  /** Most connections open to this subgraph at once; further fetches wait for a free one. */
  maxSockets?: number;
  /** How long an idle connection is kept for reuse. */
  idleTimeoutMs?: number;
};

/**
 * Errors that mean "no connection", not "the subgraph did something": refused,
 * or a pooled connection the subgraph closed before any byte of the answer.
 */
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/**
 * POSTs GraphQL requests to one subgraph over a pool of keep-alive
 * connections, and turns every way the subgraph can fail into a
 * SubgraphFetchError instead of a hang, a crash or an unbounded buffer.
 *
 * It speaks HTTP through undici's dispatcher, the lowest layer undici has:
 * one callback per event of the exchange, no streams, and an abort function
 * per request instead of an AbortController. Per fetch this costs about half
 * the CPU time of node:http's ClientRequest, and the gateway makes many
 * fetches per request. Each fetch is one object, and each attempt one
 * handler object, rather than a dozen closures.
 */
export class SubgraphClient {
  private readonly path: string;
  private readonly pool: Pool;

  constructor(options: SubgraphClientOptions) {
    const url = new URL(options.url);
    this.path = `${url.pathname}${url.search}`;
    this.pool = new Pool(url.origin, {
      connections: options.maxSockets ?? 128,
      pipelining: 1,
      // Below Node's default server keep-alive (5 s), so we drop a connection before the subgraph does.
      keepAliveTimeout: options.idleTimeoutMs ?? 4_000,
      keepAliveMaxTimeout: options.idleTimeoutMs ?? 4_000,
    });
  }

  fetch(request: SubgraphRequest): Promise<SubgraphAnswer> {
    if (request.signal?.aborted) return Promise.reject(deadlinePassed());
    return new Promise((resolve, reject) => new Fetch(this.pool, this.path, request, resolve, reject).attempt());
  }

  /** Closes every pooled connection. */
  close(): void {
    void this.pool.destroy().catch(() => {});
  }

  /** Takes no new fetches; closes each connection once the fetches under way on it are answered. */
  retire(): void {
    void this.pool.close().catch(() => {});
  }
}

/** One fetch: its time limit, the request's deadline, and at most one retry. */
class Fetch {
  settled = false;
  /** The attempt in flight, once it has a connection to abort. */
  current: Exchange | undefined;
  private attempts = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pool: Pool,
    private readonly path: string,
    readonly request: SubgraphRequest,
    private readonly resolve: (answer: SubgraphAnswer) => void,
    private readonly reject: (error: SubgraphFetchError) => void,
  ) {
    this.timer = setTimeout(timedOut, request.timeoutMs, this);
    // The listener is this object (its handleEvent): nothing is allocated per fetch for it.
    request.signal?.addEventListener('abort', this, { once: true });
  }

  attempt(): void {
    this.attempts += 1;
    this.current = undefined;
    const { body, headers } = this.request;
    this.pool.dispatch({ path: this.path, method: 'POST', headers, body }, new Exchange(this));
  }

  /** An attempt's outcome: retried once if nothing of the answer came and the request may be retried. */
  ended(error: SubgraphFetchError | undefined, answer?: SubgraphAnswer): void {
    if (this.settled) return;
    if (error?.retryable && this.request.retry && this.attempts === 1) return this.attempt();
    this.settle(error, answer);
  }

  /** The request's deadline passed. */
  handleEvent(): void {
    this.stop(deadlinePassed());
  }

  /** Destroying the connection is what stops a slow or huge answer; it is never reused. */
  stop(error: SubgraphFetchError): void {
    const current = this.current;
    this.settle(error);
    current?.abort?.(error);
  }

  private settle(error: SubgraphFetchError | undefined, answer?: SubgraphAnswer): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.request.signal?.removeEventListener('abort', this);
    if (error) {
      error.attempts = this.attempts;
      this.reject(error);
    } else {
      answer!.attempts = this.attempts;
      this.resolve(answer!);
    }
  }
}

function timedOut(fetch: Fetch): void {
  fetch.stop(new SubgraphFetchError('timeout', `no complete answer in ${fetch.request.timeoutMs} ms`));
}

/** One request and its answer, as undici reports it; ends once, with an error or the answer. */
class Exchange implements Dispatcher.DispatchHandlers {
  abort: ((error: Error) => void) | undefined;
  private finished = false;
  private status: number | undefined;
  private contentType = '';
  private isJson = false;
  private limit: number;
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly fetch: Fetch) {
    this.limit = fetch.request.maxResponseBytes;
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.fetch.settled) return abort(new Error('abandoned'));
    this.abort = abort;
    this.fetch.current = this;
  }

  onError(error: Error & { code?: string }): void {
    if (this.status !== undefined) return this.end(new SubgraphFetchError('interrupted', error.message, { status: this.status, cause: error }));
    const retryable = error.code !== undefined && CONNECTION_ERRORS.has(error.code);
    this.end(new SubgraphFetchError('unreachable', error.message, { cause: error, retryable }));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return true;
    this.status = statusCode;
    let declared = Number.NaN;
    for (let index = 0; index < rawHeaders.length; index += 2) {
      const name = rawHeaders[index]!.toString('latin1').toLowerCase();
      if (name === 'content-type') this.contentType = rawHeaders[index + 1]!.toString('latin1');
      else if (name === 'content-length') declared = Number(rawHeaders[index + 1]!.toString('latin1'));
    }
    this.isJson = GRAPHQL_CONTENT_TYPE.test(this.contentType);
    const { maxResponseBytes: max, budget } = this.fetch.request;
    // An answer over the subgraph's own limit is the subgraph's failure; one within it, the request's size.
    if (this.isJson && declared > max) return this.cutOff(new SubgraphFetchError('too-large', `content-length ${declared} over ${max}`, { status: statusCode }));
    if (this.isJson && budget && declared > budget.limit - budget.received) {
      // Counted as if read, so the request knows its answers are past the budget.
      budget.receive(declared);
      return this.cutOff(overBudget(budget, statusCode));
    }
    // Of a non-GraphQL answer we only want the start, for the log: an HTML error page can be big.
    this.limit = this.isJson ? max : EXCERPT_BYTES;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.finished) return false;
    const budget = this.fetch.request.budget;
    if (budget && this.isJson && !budget.receive(chunk.length)) return this.cutOff(overBudget(budget, this.status ?? 0));
    if (this.size + chunk.length > this.limit) {
      if (this.isJson) {
        const max = this.fetch.request.maxResponseBytes;
        this.end(new SubgraphFetchError('too-large', `answer over ${max} bytes`, { status: this.status ?? 0 }));
      } else {
        this.chunks.push(chunk.subarray(0, this.limit - this.size));
        this.size = this.limit;
        this.complete();
      }
      this.abort?.(new Error('answer cut off'));
      return false;
    }
    this.size += chunk.length;
    this.chunks.push(chunk);
    return true;
  }

  /** Ends with `error` and drops the connection: what is left of the answer is never read. */
  private cutOff(error: SubgraphFetchError): false {
    this.end(error);
    this.abort?.(new Error('answer cut off'));
    return false;
  }

  onComplete(): void {
    if (!this.finished) this.complete();
  }

  private complete(): void {
    const status = this.status ?? 0;
    const read = readAnswer(status, this.contentType, this.isJson, Buffer.concat(this.chunks, this.size));
    if (read instanceof SubgraphFetchError) this.end(read);
    else this.end(undefined, { status, body: read, attempts: 1 });
  }

  private end(error: SubgraphFetchError | undefined, answer?: SubgraphAnswer): void {
    if (this.finished) return;
    this.finished = true;
    this.fetch.ended(error, answer);
  }
}

function overBudget(budget: AnswerBudget, status: number): SubgraphFetchError {
  return new SubgraphFetchError('over-budget', `the request's answers passed ${budget.limit} bytes`, { status });
}

function deadlinePassed(): SubgraphFetchError {
  return new SubgraphFetchError('deadline', "the request's deadline passed");
}
