import type { GraphQLFormattedError } from 'graphql';

/**
 * What a subgraph answered, and the ways a fetch can fail: the part of the
 * subgraph client that judges an answer, apart from the part that gets it.
 */
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
  | 'over-budget' // the whole request's answers passed its budget (MAX_RESPONSE_BYTES)
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
  /**
   * Set when the answer's text had no backslash. JSON must escape quotes,
   * backslashes and control characters, and UTF-8 text cannot hold a lone
   * surrogate, so then no string in it needs escaping when written out again.
   */
  [NO_ESCAPES]?: true;
};

export const NO_ESCAPES: unique symbol = Symbol('no escapes');

export const GRAPHQL_CONTENT_TYPE = /^application\/(graphql-response\+)?json\s*(;|$)/i;
/** Of an answer that is not GraphQL, only this much is read, for the log. */
export const EXCERPT_BYTES = 512;
const EXCERPT_CHARS = 200;

/**
 * Reads an answer that must be a GraphQL response: JSON, within the size
 * limit, an object with `data` or `errors`. Any status may carry one (Apollo
 * Server answers 400 to an invalid operation); anything else is an error
 * carrying what the log needs.
 */
export function readAnswer(status: number, contentType: string, isJson: boolean, bytes: Buffer): SubgraphResponse | SubgraphFetchError {
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
  if (!text.includes('\\')) body[NO_ESCAPES] = true;
  return body;
}

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The shape the gateway relies on: `data` an object or null, `errors` a list
 * of objects, `extensions` an object, and nothing else. One with neither data
 * nor errors is a GraphQL response that failed every field it was asked for.
 */
function isGraphQLResponse(value: unknown): value is SubgraphResponse {
  if (!isObject(value)) return false;
  for (const key in value) if (key !== 'data' && key !== 'errors' && key !== 'extensions') return false;
  const { data, errors, extensions } = value;
  if (data !== undefined && data !== null && !isObject(data)) return false;
  if (errors !== undefined && !(Array.isArray(errors) && errors.every(isObject))) return false;
  return extensions === undefined || isObject(extensions);
}
