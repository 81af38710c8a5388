import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '#lib/errors.js';
import type { Logger } from '#lib/logger.js';

/** Extensions a client may see in production; anything else a subgraph sends stays in the log. */
const PUBLIC_EXTENSIONS = new Set(['code', 'serviceName', 'requestId', 'field', 'retryAfter']);

/**
 * Text that describes internals rather than the caller's request: addresses,
 * stack frames, SQL, HTML pages, network error names. A subgraph that is not
 * ours may put any of these in a message; in production such a message is
 * replaced, whatever its code.
 */
const INTERNAL_TEXT = [
  // Addresses and network errors.
  /https?:\/\/|\b(?:localhost|\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?\b|\bE(?:CONN[A-Z]+|TIMEDOUT|NOTFOUND|PIPE|AI_AGAIN)\b/i,
  // Stack frames and source files.
  /\bat\s+\S+\s+\(|\.(?:[cm]?[jt]s):\d+/,
  // HTML pages.
  /<\s*(?:!doctype|html|body|head)\b/i,
  // SQL and Postgres errors.
  /\b(?:SELECT|INSERT INTO|UPDATE|DELETE FROM)\b[\s\S]*\b(?:FROM|VALUES|SET|WHERE)\b|\bsyntax error at or near\b|\bviolates \w+(?: \w+)? constraint\b|\b(?:relation|column) "[^"]*" does not exist\b|\bpg_\w+/,
];

export function looksInternal(message: string): boolean {
  return INTERNAL_TEXT.some((pattern) => pattern.test(message));
}

/**
 * The gateway's `formatError`. In production a client sees:
 * - errors with a code, from a subgraph or the gateway, with their message
 *   (a subgraph's BAD_USER_INPUT stays BAD_USER_INPUT) unless it reads like
 *   internals, and only public extensions;
 * - a subgraph that could not be reached as DOWNSTREAM_SERVICE_ERROR naming the
 *   subgraph (see fetch/transports/http/http-transport.ts), never its address or the network error;
 * - anything else as INTERNAL_SERVER_ERROR.
 * The pipeline adds the request id to every error; `errorLogging` logs the
 * detail under the same id. Outside production, errors pass unchanged.
 */
export function createGatewayErrorFormatter({ production }: { production: boolean }) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    // Judged by the code alone, not by class: errors a subgraph sent arrive as
    // plain objects, and Apollo gives uncoded errors INTERNAL_SERVER_ERROR.
    const code = formatted.extensions?.code;
    const masked = code === undefined || code === ErrorCode.INTERNAL_SERVER_ERROR;
    if (!production) return formatted;

    const base = {
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
    };
    if (masked) {
      return { message: 'Internal server error', ...base, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
    }
    const extensions = Object.fromEntries(
      Object.entries(formatted.extensions ?? {}).filter(([key]) => PUBLIC_EXTENSIONS.has(key)),
    );
    const message = looksInternal(formatted.message) ? 'Internal server error' : formatted.message;
    return { message, ...base, extensions };
  };
}

/** An error as clients see it before masking: every error has a code, INTERNAL_SERVER_ERROR when it came without one. */
export function formatted(error: GraphQLError): GraphQLFormattedError {
  const json: GraphQLFormattedError = typeof error.toJSON === 'function' ? error.toJSON() : { message: error.message };
  const code = json.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR;
  return { ...json, extensions: { ...json.extensions, code } };
}

/** Errors a request's log line shows in full; the rest are counted. */
const LOGGED_ERRORS = 10;
/** Characters of a message the log keeps. */
const LOGGED_MESSAGE = 1_000;

/**
 * Logs the errors a request met, with its request id, before `formatError`
 * masks them for the client: what the client cannot be shown, the operator
 * must be able to find. One line per request, at error level when any of
 * them is the gateway's or a subgraph's failure: the first LOGGED_ERRORS in
 * full, and how many there were. A subgraph answering thousands of errors
 * costs one bounded line, not thousands.
 */
export function logRequestErrors(logger: Logger, requestId: string, errors: readonly GraphQLError[]): void {
  if (errors.length === 0) return;
  let internal = false;
  const shown: Record<string, unknown>[] = [];
  for (const error of errors) {
    const code = error.extensions?.code;
    const failure = code === undefined || code === ErrorCode.INTERNAL_SERVER_ERROR || code === ErrorCode.DOWNSTREAM_SERVICE_ERROR;
    if (shown.length >= LOGGED_ERRORS) {
      internal ||= failure;
      continue;
    }
    const message = error.message.length > LOGGED_MESSAGE ? `${error.message.slice(0, LOGGED_MESSAGE)}…` : error.message;
    internal ||= failure || looksInternal(message);
    const original = error.originalError ?? error;
    shown.push({
      path: error.path,
      code,
      message,
      extensions: error.extensions,
      ...(original instanceof Error && original !== error ? { err: original } : {}),
    });
  }
  const line = { requestId, count: errors.length, errors: shown };
  if (internal) logger.error(line, 'request errors');
  else logger.debug(line, 'request errors');
}
