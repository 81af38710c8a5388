import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { databaseError, ErrorCode, withoutCallersStacktrace } from '#lib/errors.js';
import type { Logger } from '#lib/logger.js';
import { statementFailure } from '#lib/db-faults.js';

/*
 * How a subgraph's Apollo Server answers and logs errors. Apart from
 * lib/errors.ts's codes and constructors, which the gateway shares: the
 * gateway loads nothing of Apollo Server.
 */

/**
 * Apollo's `formatError`: errors we raised on purpose (GraphQLErrors) pass as
 * they are, without the stack Apollo adds outside production unless they are
 * internal (a parse error or BAD_USER_INPUT is the caller's, and its stack
 * tells the caller nothing); database outages become DATABASE_UNAVAILABLE or
 * DATABASE_TIMEOUT (see `databaseError`); anything else is a bug and, in
 * production, replaced by a bare INTERNAL_SERVER_ERROR so no SQL, stack or
 * address reaches the client (in development it keeps its stack). What it
 * hides, `errorLog` logs.
 */
export function createErrorFormatter(options: { production: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof GraphQLError) return withoutCallersStacktrace(formatted);
    const outage = databaseError(original);
    if (outage) {
      // The same coded answer in development and production: the SQL is in the log.
      return {
        message: outage.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: outage.extensions,
      };
    }
    if (!options.production) return developmentStatementError(formatted, original) ?? formatted;
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

// undefined_column, undefined_table: the code reads a table as db/schema.ts has it, the database does not (yet).
const MISSING_MIGRATION = new Set(['42703', '42P01']);

/**
 * In development only: a failed SQL statement says what Postgres said (not
 * drizzle's "Failed query: <SQL> params: ..."), and a missing column or table
 * says what to do, so the cause is in the answer and not only in the log.
 */
function developmentStatementError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError | undefined {
  const failure = statementFailure(error);
  if (!failure) return undefined;
  const hint = MISSING_MIGRATION.has(failure.code) ? ' (a migration may be missing: npm run db:generate, then the dev loop applies it)' : '';
  return { ...formatted, message: `Database statement failed: ${failure.message}${hint}`, extensions: { ...formatted.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR } };
}

/**
 * An Apollo Server plugin that logs, in full and under the request's id, every
 * error `createErrorFormatter` masks: database faults and bugs. A plugin rather
 * than the formatter, which sees no request: the id joins the subgraph's line to
 * the gateway's, as the trace id does when tracing is on.
 */
export function errorLog(logger: Logger): ApolloServerPlugin<BaseContext & { requestId?: string }> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors }) {
          for (const error of errors) {
            const original = unwrapResolverError(error);
            if (original instanceof GraphQLError) continue;
            const fields = { err: original, path: error.path, requestId: contextValue.requestId };
            logger.error(fields, databaseError(original) ? 'database fault' : 'unexpected error');
          }
        },
      };
    },
  };
}
