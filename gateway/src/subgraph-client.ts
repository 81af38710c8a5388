import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { GraphQLFormattedError } from 'graphql';

/**
 * How a fetch to a subgraph failed. It decides what the client is told and
 * whether the subgraph's circuit breaker counts it.
 */
export type SubgraphFailure =
  | 'timeout' // no complete answer within timeoutMs
  | 'deadline' // the whole request's deadline passed first
  | 'unreachable' // no connection, or it broke before any answer
  | 'interrupted' // the connection broke in the middle of the answer
  | 'non-graphql' // an answer that is not a GraphQL response: HTML, plain text, JSON of another shape
  | 'too-large' // more than maxResponseBytes
  | 'invalid-json';

/** A failed fetch. Its message and fields are for the log only: they hold addresses and bodies. */
export class SubgraphFetchError extends Error {
  override readonly name = 'SubgraphFetchError';
  readonly failure: SubgraphFailure;
  /** The HTTP status, when the subgraph answered. */
  readonly status?: number;
  /** The answer's first characters, when it was not a usable GraphQL response. */
  readonly bodyExcerpt?: string;
  /** Whether nothing of the answer arrived, so the subgraph cannot have acted twice on a retry. */
  readonly retryable: boolean;
  attempts = 1;

  constructor(
    failure: SubgraphFailure,
    message: string,
    details: { status?: number; bodyExcerpt?: string; cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.failure = failure;
    this.retryable = details.retryable ?? false;
    if (details.status !== undefined) this.status = details.status;
    if (details.bodyExcerpt !== undefined) this.bodyExcerpt = details.bodyExcerpt;
  }
}

/** A subgraph's answer, once it is known to have the shape of a GraphQL response. */
export type SubgraphResponse = {
  data?: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
};

export type SubgraphAnswer = { status: number; body: SubgraphResponse; attempts: number };

export type SubgraphRequest = {
  /** The JSON request body, already serialized. */
  body: Buffer;
  headers: Record<string, string>;
  /** Longest wait for the complete answer, retry included. */
  timeoutMs: number;
  /** The whole incoming request's deadline; aborting it abandons the fetch. */
  signal?: AbortSignal;
  /** Larger answers are cut off as soon as they pass this, never buffered. */
  maxResponseBytes: number;
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

/** Network errors that mean "no connection", not "the subgraph did something". */
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);
const GRAPHQL_CONTENT_TYPE = /^application\/(graphql-response\+)?json\s*(;|$)/i;
/** Of an answer that is not GraphQL, only this much is read, for the log. */
const EXCERPT_BYTES = 512;
const EXCERPT_CHARS = 200;

/**
 * POSTs GraphQL requests to one subgraph over a pool of keep-alive
 * connections, and turns every way the subgraph can fail into a
 * SubgraphFetchError instead of a hang, a crash or an unbounded buffer.
 */
export class SubgraphClient {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(options: SubgraphClientOptions) {
    this.url = new URL(options.url);
    const https = this.url.protocol === 'https:';
    const maxSockets = options.maxSockets ?? 128;
    const agentOptions = {
      keepAlive: true,
      keepAliveMsecs: 1_000,
      maxSockets,
      maxFreeSockets: maxSockets,
      // Most recently used first: the sockets at the back of the pool go idle and time out.
      scheduling: 'lifo' as const,
      // Below Node's default server keep-alive (5 s), so we drop a socket before the subgraph does.
      timeout: options.idleTimeoutMs ?? 4_000,
    };
    this.agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = https ? httpsRequest : httpRequest;
  }

  async fetch(request: SubgraphRequest): Promise<SubgraphAnswer> {
    if (request.signal?.aborted) throw deadlinePassed();
    // One controller for both limits, so an attempt has a single thing to watch.
    const stop = new AbortController();
    const timer = setTimeout(
      () => stop.abort(new SubgraphFetchError('timeout', `no complete answer in ${request.timeoutMs} ms`)),
      request.timeoutMs,
    );
    const onDeadline = () => stop.abort(deadlinePassed());
    request.signal?.addEventListener('abort', onDeadline, { once: true });
    try {
      try {
        return await this.attempt(request, stop.signal, 1);
      } catch (error) {
        if (!(error instanceof SubgraphFetchError && error.retryable && request.retry) || stop.signal.aborted) {
          throw error;
        }
        return await this.attempt(request, stop.signal, 2);
      }
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onDeadline);
    }
  }

  /** Closes every pooled connection. */
  close(): void {
    this.agent.destroy();
  }

  private attempt(request: SubgraphRequest, stop: AbortSignal, attempt: number): Promise<SubgraphAnswer> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let status: number | undefined;
      const settle = () => {
        settled = true;
        stop.removeEventListener('abort', onStop);
      };
      const fail = (error: SubgraphFetchError) => {
        if (settled) return;
        settle();
        error.attempts = attempt;
        // Destroying the socket is what stops a slow or huge answer; it is never reused.
        req.destroy();
        reject(error);
      };
      const onStop = () => fail(stop.reason instanceof SubgraphFetchError ? stop.reason : deadlinePassed());

      const req: ClientRequest = this.send(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: { ...request.headers, 'content-length': String(request.body.length) },
      });
      stop.addEventListener('abort', onStop, { once: true });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (status !== undefined) {
          return fail(new SubgraphFetchError('interrupted', error.message, { status, cause: error }));
        }
        const retryable = error.code !== undefined && CONNECTION_ERRORS.has(error.code);
        fail(new SubgraphFetchError('unreachable', error.message, { cause: error, retryable }));
      });
      req.on('response', (res) => {
        status = res.statusCode ?? 0;
        readAnswer(res, request.maxResponseBytes).then(
          (body) => {
            if (settled) return;
            settle();
            resolve({ status: status ?? 0, body, attempts: attempt });
          },
          (error: unknown) =>
            fail(error instanceof SubgraphFetchError ? error : new SubgraphFetchError('interrupted', String(error))),
        );
      });
      req.end(request.body);
    });
  }
}

function deadlinePassed(): SubgraphFetchError {
  return new SubgraphFetchError('deadline', "the request's deadline passed");
}

/**
 * Reads an answer that must be a GraphQL response: JSON, within the size
 * limit, an object with `data` or `errors`. Any status may carry one (Apollo
 * Server answers 400 to an invalid operation); anything else is an error
 * carrying what the log needs.
 */
function readAnswer(res: IncomingMessage, maxBytes: number): Promise<SubgraphResponse> {
  const status = res.statusCode ?? 0;
  const contentType = res.headers['content-type'] ?? '';
  const isJson = GRAPHQL_CONTENT_TYPE.test(contentType);
  const declared = Number(res.headers['content-length']);
  if (isJson && declared > maxBytes) {
    const message = `content-length ${declared} over ${maxBytes}`;
    return Promise.reject(new SubgraphFetchError('too-large', message, { status }));
  }
  // Of a non-GraphQL answer we only want the start, for the log: an HTML error page can be big.
  const limit = isJson ? maxBytes : EXCERPT_BYTES;

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = () => {
      done = true;
      const text = Buffer.concat(chunks).toString('utf8');
      if (!isJson) {
        const message = `HTTP ${status} with content-type "${contentType}"`;
        return reject(new SubgraphFetchError('non-graphql', message, { status, bodyExcerpt: excerpt(text) }));
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        return reject(
          new SubgraphFetchError('invalid-json', `HTTP ${status}: ${(error as Error).message}`, {
            status,
            bodyExcerpt: excerpt(text),
            cause: error,
          }),
        );
      }
      if (!isGraphQLResponse(body)) {
        const message = `HTTP ${status}: JSON that is not a GraphQL response`;
        return reject(new SubgraphFetchError('non-graphql', message, { status, bodyExcerpt: excerpt(text) }));
      }
      resolve(body);
    };
    res.on('data', (chunk: Buffer) => {
      if (done) return;
      if (size + chunk.length > limit) {
        if (!isJson) {
          chunks.push(chunk.subarray(0, limit - size));
          return finish();
        }
        done = true;
        return reject(new SubgraphFetchError('too-large', `answer over ${maxBytes} bytes`, { status }));
      }
      size += chunk.length;
      chunks.push(chunk);
    });
    res.on('end', () => {
      if (!done) finish();
    });
    // 'close' without 'end': the connection broke mid-answer (reset, killed process).
    res.on('close', () => {
      if (done || res.complete) return;
      done = true;
      const message = `connection closed after ${size} bytes of HTTP ${status}`;
      reject(new SubgraphFetchError('interrupted', message, { status }));
    });
    res.on('error', (error) => {
      if (done) return;
      done = true;
      reject(new SubgraphFetchError('interrupted', error.message, { status, cause: error }));
    });
  });
}

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The shape the gateway relies on: `data` an object or null, `errors` a list of objects, one of them present. */
function isGraphQLResponse(value: unknown): value is SubgraphResponse {
  if (!isObject(value) || !('data' in value || 'errors' in value)) return false;
  const { data, errors, extensions } = value;
  if (data !== undefined && data !== null && !isObject(data)) return false;
  if (errors !== undefined && !(Array.isArray(errors) && errors.every(isObject))) return false;
  return extensions === undefined || isObject(extensions);
}
