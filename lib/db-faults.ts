/**
 * How a failed database call is classified: a fault of the database (an
 * outage, which callers may retry or report as such) or of the query itself.
 */

/** Every connection was busy for longer than `poolTimeoutMs`. */
export class PoolTimeoutError extends Error {
  readonly code = 'POOL_TIMEOUT';
  constructor(timeoutMs: number, size: number) {
    super(`no database connection came free within ${timeoutMs} ms (all ${size} in use)`);
    this.name = 'PoolTimeoutError';
  }
}

/**
 * What kind of outage a failed database call was, if it was one rather than a
 * fault of the query itself:
 * - `connection-lost`: the connection died under the statement (killed backend,
 *   server restart, network reset); the pool reconnects by itself;
 * - `unavailable`: no connection could be had (server down or refusing, pool
 *   exhausted, client closed);
 * - `timeout`: the statement ran past `statement_timeout` (or was cancelled).
 * Looks through drizzle's DrizzleQueryError to the driver's error.
 */
export type DatabaseFault = 'connection-lost' | 'unavailable' | 'timeout';

const CONNECTION_LOST = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, or a fast shutdown
  '57P02', // crash_shutdown
  'CONNECTION_CLOSED',
  'ECONNRESET',
  'EPIPE',
]);
const UNAVAILABLE = new Set([
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'POOL_TIMEOUT',
]);

export function databaseFault(error: unknown): DatabaseFault | undefined {
  for (let current: unknown = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') {
      if (code === '57014') return 'timeout';
      if (CONNECTION_LOST.has(code)) return 'connection-lost';
      // Class 08: connection exceptions.
      if (UNAVAILABLE.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return 'unavailable';
    }
    current = cause;
  }
  return undefined;
}

/**
 * What Postgres said about a failed statement (e.g. `column "brand" does not
 * exist`), looking through drizzle's DrizzleQueryError, whose own message is
 * the SQL and its parameters; undefined when no database error is inside.
 */
export function statementFailure(error: unknown): { code: string; message: string } | undefined {
  for (let current: unknown = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof message === 'string') return { code, message };
    current = cause;
  }
  return undefined;
}
