import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from './logger.js';

/** The error codes Junction's APIs answer with, in `extensions.code`. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  DOWNSTREAM_SERVICE_ERROR: 'DOWNSTREAM_SERVICE_ERROR',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

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

/**
 * Apollo's `formatError`: errors we raised on purpose (GraphQLErrors) pass as
 * they are; anything else is a bug or an outage, logged in full and, in
 * production, replaced by a bare INTERNAL_SERVER_ERROR so no SQL, stack or
 * address reaches the client.
 */
export function createErrorFormatter(options: { production: boolean; logger: Logger }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof GraphQLError) return formatted;
    options.logger.error({ err: original, path: formatted.path }, 'unexpected error');
    if (!options.production) return formatted;
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
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
