import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { databaseError, ErrorCode, withoutCallersStacktrace } from '#lib/errors.js';
import type { Logger } from '#lib/logger.js';

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
    if (!options.production) return formatted;
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
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
