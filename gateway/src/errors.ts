import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ErrorCode } from '#lib/errors.js';
import type { Logger } from '#lib/logger.js';

/** Extensions that describe internals; never sent to clients in production. */
const INTERNAL_EXTENSIONS = new Set(['stacktrace', 'exception', 'response', 'http']);

/**
 * The gateway's `formatError`. In production a client sees:
 * - errors a subgraph chose to send, with their message and code (a subgraph's
 *   BAD_USER_INPUT stays BAD_USER_INPUT) but no stack trace or internals;
 * - a subgraph that could not be reached as DOWNSTREAM_SERVICE_ERROR naming the
 *   subgraph (see SubgraphDataSource), never its address or the network error;
 * - anything else as INTERNAL_SERVER_ERROR.
 * Everything is logged in full. Outside production, errors pass unchanged.
 */
export function createGatewayErrorFormatter({ production, logger }: { production: boolean; logger: Logger }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const sentBySubgraph = !(original instanceof Error) && typeof original === 'object' && original !== null;
    if (!(original instanceof GraphQLError) && !sentBySubgraph) {
      logger.error({ err: original, path: formatted.path }, 'gateway error');
    }
    if (!production) return formatted;

    const base = {
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
    };
    const extensions = formatted.extensions ?? {};
    if (original instanceof GraphQLError || sentBySubgraph) {
      const kept = Object.fromEntries(Object.entries(extensions).filter(([key]) => !INTERNAL_EXTENSIONS.has(key)));
      return { message: formatted.message, ...base, extensions: kept };
    }
    return { message: 'Internal server error', ...base, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}
