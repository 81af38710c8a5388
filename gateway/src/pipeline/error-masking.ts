import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { ErrorCode, isInternal, withoutCallersStacktrace } from '#lib/errors.js';
import { clip, MESSAGE_CHARACTERS } from '#lib/client-text.js';
import { serializedError, type Logger } from '#lib/logger.js';

/** Extensions a client may see in production; anything else a subgraph sends stays in the log. */
const PUBLIC_EXTENSIONS = new Set(['code', 'serviceName', 'requestId', 'field', 'retryAfter']);

/**
 * Text that describes internals rather than the caller's request: addresses,
 * stack frames, SQL, HTML pages, network error names. A subgraph that is not
 * ours may put any of these in a message; in production such a message is
 * replaced, whatever its code.
 *
 * A message may quote what a client sent, so these run over at most its first
 * MESSAGE_CHARACTERS, and each is linear in what it reads: literals, or
 * repetitions that end at the next character outside their class (a word, a
 * run of spaces, a quoted part), so no start position rescans the text after
 * it. The one rule that needs "a keyword, then another anywhere after it", a
 * SQL statement, is a scan of words (`mentionsSqlStatement`), not a pattern:
 * as `\bSELECT\b[\s\S]*\bFROM\b` it tried every SELECT against the rest of the
 * message, quadratic in a value of `SELECT ` repeated.
 */
const INTERNAL_TEXT = [
  // Addresses and network errors.
  /https?:\/\/|\b(?:localhost|\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?\b|\bE(?:CONN[A-Z]+|TIMEDOUT|NOTFOUND|PIPE|AI_AGAIN)\b/i,
  // Stack frames and source files.
  /\bat\s+\S+\s+\(|\.(?:[cm]?[jt]s):\d+/,
  // HTML pages.
  /<\s*(?:!doctype|html|body|head)\b/i,
  // Postgres errors (SQL statements: mentionsSqlStatement).
  /\bsyntax error at or near\b|\bviolates \w+(?: \w+)? constraint\b|\b(?:relation|column) "[^"]*" does not exist\b|\bpg_\w+/,
];

export function looksInternal(message: string): boolean {
  const text = clip(message, MESSAGE_CHARACTERS);
  return mentionsSqlStatement(text) || INTERNAL_TEXT.some((pattern) => pattern.test(text));
}

/** Words that start a statement (INSERT INTO and DELETE FROM are two, one space apart) and clauses that follow one. */
const STATEMENTS = new Set(['SELECT', 'UPDATE']);
const CLAUSES = new Set(['FROM', 'VALUES', 'SET', 'WHERE']);

/**
 * Whether `text` holds a SQL statement's start (SELECT, INSERT INTO, UPDATE,
 * DELETE FROM) and, after it, one of its clauses (FROM, VALUES, SET, WHERE),
 * as whole upper-case words: one pass over the words.
 */
export function mentionsSqlStatement(text: string): boolean {
  let started = false;
  let previous = '';
  let previousEnd = -1;
  for (let index = 0; index < text.length; ) {
    if (!isWordCharacter(text.charCodeAt(index))) {
      index++;
      continue;
    }
    const start = index;
    while (index < text.length && isWordCharacter(text.charCodeAt(index))) index++;
    // No keyword is longer than six characters: a longer word is never sliced.
    const word = index - start <= 6 ? text.slice(start, index) : '';
    if (started && CLAUSES.has(word)) return true;
    if (!started) {
      const twoWords = previousEnd === start - 1 && text.charCodeAt(previousEnd) === SPACE;
      started = STATEMENTS.has(word) || (twoWords && ((previous === 'INSERT' && word === 'INTO') || (previous === 'DELETE' && word === 'FROM')));
    }
    previous = word;
    previousEnd = index;
  }
  return false;
}

const SPACE = 0x20;

/** `\w`: ASCII letters, digits and the underscore. */
function isWordCharacter(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}

/**
 * The gateway's `formatError`. In production a client sees:
 * - errors with a code, from a subgraph or the gateway, with their message
 *   (a subgraph's BAD_USER_INPUT stays BAD_USER_INPUT) unless it reads like
 *   internals, and only public extensions;
 * - a subgraph that could not be reached as DOWNSTREAM_SERVICE_ERROR naming the
 *   subgraph (see fetch/transports/http/http-transport.ts), never its address or the network error;
 * - anything else as INTERNAL_SERVER_ERROR.
 * The pipeline adds the request id to every error; `logRequestErrors` logs the
 * detail under the same id. Outside production, errors pass unchanged, but for
 * the stack trace a subgraph may add in development: only an internal error
 * keeps it, never one the caller caused.
 */
export function createGatewayErrorFormatter({ production }: { production: boolean }) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    // Judged by the code alone, not by class: errors a subgraph sent arrive as
    // plain objects, and Apollo gives uncoded errors INTERNAL_SERVER_ERROR.
    const code = formatted.extensions?.code;
    const masked = code === undefined || code === ErrorCode.INTERNAL_SERVER_ERROR;
    if (!production) return withoutCallersStacktrace(formatted);

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
    // What is shown is what was checked: at most MESSAGE_CHARACTERS of it.
    const shown = clip(formatted.message, MESSAGE_CHARACTERS);
    const message = looksInternal(shown) ? 'Internal server error' : shown;
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
 * costs one bounded line, not thousands. Only an internal error (a bug) brings
 * its stack, the gateway's own or the one a subgraph sent in development: the
 * caller's mistakes are logged without one.
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
    const message = clip(error.message, LOGGED_MESSAGE);
    internal ||= failure || looksInternal(message);
    const original = error.originalError ?? error;
    const bug = isInternal(code);
    shown.push({
      path: error.path,
      code,
      message,
      extensions: bug || error.extensions.stacktrace === undefined ? error.extensions : withoutStacktrace(error.extensions),
      ...(bug && original instanceof Error && original !== error ? { err: serializedError(original) } : {}),
    });
  }
  const line = { requestId, count: errors.length, errors: shown };
  if (internal) logger.error(line, 'request errors');
  else logger.debug(line, 'request errors');
}

function withoutStacktrace(extensions: Record<string, unknown>): Record<string, unknown> {
  const { stacktrace: _stacktrace, ...rest } = extensions;
  return rest;
}
