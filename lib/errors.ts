import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { databaseFault } from './db.js';

/** The error codes Junction's APIs answer with, in `extensions.code`. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  DOWNSTREAM_SERVICE_ERROR: 'DOWNSTREAM_SERVICE_ERROR',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** The database could not be reached or dropped the connection; retrying later may work. */
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  /** A database statement ran past its time limit. */
  DATABASE_TIMEOUT: 'DATABASE_TIMEOUT',
  // The request-level codes GraphQL servers share (Apollo Server's names), which the gateway answers with too.
  /** The request is malformed: no usable document, operation, or parameters. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The document is not valid GraphQL syntax. */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  /** The document does not validate against the schema (or breaks one of the gateway's limits). */
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  /** No operation to run: `operationName` names none of the document's, or several and no name. */
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Whether an error is a bug (ours or a subgraph's), not the caller's doing: INTERNAL_SERVER_ERROR, or no code at all. */
export function isInternal(code: unknown): boolean {
  return code === undefined || code === ErrorCode.INTERNAL_SERVER_ERROR;
}

/**
 * The error without `extensions.stacktrace` unless it is internal. Outside
 * production Apollo Server puts a stack on every error, the caller's mistakes
 * (a parse or validation error, BAD_USER_INPUT, NOT_FOUND) included, where it
 * says nothing the message does not, and buries it; only a bug's stack helps.
 */
export function withoutCallersStacktrace(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = formatted.extensions;
  if (extensions?.stacktrace === undefined || isInternal(extensions.code)) return formatted;
  const { stacktrace: _stacktrace, ...rest } = extensions;
  return { ...formatted, extensions: rest };
}

/** Invalid input; `field` names the argument or input field at fault. */
export function badUserInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, ...(field === undefined ? {} : { field }) },
  });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.NOT_FOUND } });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
}

export function downstreamError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.DOWNSTREAM_SERVICE_ERROR } });
}

export function databaseUnavailable(): GraphQLError {
  return new GraphQLError('The database is unavailable; try again.', {
    extensions: { code: ErrorCode.DATABASE_UNAVAILABLE },
  });
}

export function databaseTimeout(): GraphQLError {
  return new GraphQLError('The query took too long.', { extensions: { code: ErrorCode.DATABASE_TIMEOUT } });
}

/**
 * The client's view of a database outage (connection lost or refused, pool
 * exhausted, statement timeout), undefined for any other error. It says what
 * happened, never which SQL, parameters or host: those stay in the log.
 */
export function databaseError(error: unknown): GraphQLError | undefined {
  const fault = databaseFault(error);
  if (fault === undefined) return undefined;
  return fault === 'timeout' ? databaseTimeout() : databaseUnavailable();
}

/** What Postgres said, from a postgres.js or PGlite error, looking through drizzle's wrapper. */
export function sqlError(error: unknown): { code: string; constraint?: string } | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return undefined;
    const { code, cause, constraint, constraint_name } = current as Record<string, unknown>;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      const name = constraint_name ?? constraint;
      return typeof name === 'string' ? { code, constraint: name } : { code };
    }
    current = cause;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
export const NUMERIC_VALUE_OUT_OF_RANGE = '22003';
