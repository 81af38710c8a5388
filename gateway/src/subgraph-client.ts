import type { GraphQLFormattedError } from 'graphql';
import { Pool } from 'undici';

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

/**
 * Errors that mean "no connection", not "the subgraph did something": refused,
 * or a pooled connection the subgraph closed before any byte of the answer.
 */
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const GRAPHQL_CONTENT_TYPE = /^application\/(graphql-response\+)?json\s*(;|$)/i;
/** Of an answer that is not GraphQL, only this much is read, for the log. */
const EXCERPT_BYTES = 512;
const EXCERPT_CHARS = 200;

/**
 * POSTs GraphQL requests to one subgraph over a pool of keep-alive
 * connections, and turns every way the subgraph can fail into a
 * SubgraphFetchError instead of a hang, a crash or an unbounded buffer.
 *
 * It speaks HTTP through undici's dispatcher, the lowest layer undici has:
 * one callback per event of the exchange, no streams, and an abort function
 * per request instead of an AbortController. Per fetch this costs about half
 * the CPU time of node:http's ClientRequest, and the gateway makes many
 * fetches per request.
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
    return new Promise((resolve, reject) => {
      let attempt = 1;
      let settled = false;
      /** Aborts the exchange in flight, once it has a connection. */
      let abortExchange: ((error: Error) => void) | undefined;

      const settle = (error: SubgraphFetchError | undefined, answer?: SubgraphAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onDeadline);
        if (error) {
          error.attempts = attempt;
          reject(error);
        } else resolve(answer!);
      };
      // Destroying the connection is what stops a slow or huge answer; it is never reused.
      const stop = (error: SubgraphFetchError) => {
        const abort = abortExchange;
        settle(error);
        abort?.(error);
      };
      const timer = setTimeout(() => stop(new SubgraphFetchError('timeout', `no complete answer in ${request.timeoutMs} ms`)), request.timeoutMs);
      const onDeadline = () => stop(deadlinePassed());
      request.signal?.addEventListener('abort', onDeadline, { once: true });

      const run = () =>
        this.exchange(
          request,
          (abort) => {
            if (settled) abort(new Error('abandoned'));
            else abortExchange = abort;
          },
          (error, answer) => {
            if (settled) return;
            if (error?.retryable && request.retry && attempt === 1) {
              attempt = 2;
              abortExchange = undefined;
              return run();
            }
            if (answer) answer.attempts = attempt;
            settle(error, answer);
          },
        );
      run();
    });
  }

  /** Closes every pooled connection. */
  close(): void {
    void this.pool.destroy().catch(() => {});
  }

  /** One request and its answer; `done` is called once, with an error or the answer. */
  private exchange(
    request: SubgraphRequest,
    connected: (abort: (error: Error) => void) => void,
    done: (error: SubgraphFetchError | undefined, answer?: SubgraphAnswer) => void,
  ): void {
    let finished = false;
    let status: number | undefined;
    let contentType = '';
    let isJson = false;
    let limit = request.maxResponseBytes;
    let abort: ((error: Error) => void) | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const end = (error: SubgraphFetchError | undefined, answer?: SubgraphAnswer) => {
      if (finished) return;
      finished = true;
      done(error, answer);
    };
    const complete = () => {
      const body = Buffer.concat(chunks, size);
      const read = readAnswer(status ?? 0, contentType, isJson, body);
      if (read instanceof SubgraphFetchError) end(read);
      else end(undefined, { status: status ?? 0, body: read, attempts: 1 });
    };

    this.pool.dispatch(
      {
        path: this.path,
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(request.body.length) },
        body: request.body,
      },
      {
        onConnect: (abortRequest) => {
          abort = abortRequest;
          connected(abortRequest);
        },
        onError: (error: Error & { code?: string }) => {
          if (status !== undefined) return end(new SubgraphFetchError('interrupted', error.message, { status, cause: error }));
          const retryable = error.code !== undefined && CONNECTION_ERRORS.has(error.code);
          end(new SubgraphFetchError('unreachable', error.message, { cause: error, retryable }));
        },
        onHeaders: (statusCode, rawHeaders) => {
          if (statusCode < 200) return true;
          status = statusCode;
          let declared = Number.NaN;
          for (let index = 0; index < rawHeaders.length; index += 2) {
            const name = rawHeaders[index]!.toString('latin1').toLowerCase();
            if (name === 'content-type') contentType = rawHeaders[index + 1]!.toString('latin1');
            else if (name === 'content-length') declared = Number(rawHeaders[index + 1]!.toString('latin1'));
          }
          isJson = GRAPHQL_CONTENT_TYPE.test(contentType);
          if (isJson && declared > request.maxResponseBytes) {
            end(new SubgraphFetchError('too-large', `content-length ${declared} over ${request.maxResponseBytes}`, { status }));
            abort?.(new Error('answer too large'));
            return false;
          }
          // Of a non-GraphQL answer we only want the start, for the log: an HTML error page can be big.
          limit = isJson ? request.maxResponseBytes : EXCERPT_BYTES;
          return true;
        },
        onData: (chunk) => {
          if (finished) return false;
          if (size + chunk.length > limit) {
            if (isJson) end(new SubgraphFetchError('too-large', `answer over ${request.maxResponseBytes} bytes`, { status: status ?? 0 }));
            else {
              chunks.push(chunk.subarray(0, limit - size));
              size = limit;
              complete();
            }
            abort?.(new Error('answer cut off'));
            return false;
          }
          size += chunk.length;
          chunks.push(chunk);
          return true;
        },
        onComplete: () => {
          if (!finished) complete();
        },
      },
    );
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
function readAnswer(status: number, contentType: string, isJson: boolean, bytes: Buffer): SubgraphResponse | SubgraphFetchError {
  const text = bytes.toString('utf8');
  if (!isJson) {
    const message = `HTTP ${status} with content-type "${contentType}"`;
    return new SubgraphFetchError('non-graphql', message, { status, bodyExcerpt: excerpt(text) });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return new SubgraphFetchError('invalid-json', `HTTP ${status}: ${(error as Error).message}`, {
      status,
      bodyExcerpt: excerpt(text),
      cause: error,
    });
  }
  if (!isGraphQLResponse(body)) {
    const message = `HTTP ${status}: JSON that is not a GraphQL response`;
    return new SubgraphFetchError('non-graphql', message, { status, bodyExcerpt: excerpt(text) });
  }
  return body;
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
