import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Logger as DrizzleLogger } from 'drizzle-orm/logger';
import type { PGlite, QueryOptions, Transaction } from '@electric-sql/pglite';
import { Slots, boundedClient, type PoolUse } from './db-pool.js';
import type { Env } from './env.js';
import { traceStatement } from './telemetry.js';

/**
 * The database every subgraph talks to, whichever driver is underneath:
 * postgres.js against a real server, or PGlite (Postgres compiled to WASM)
 * embedded in the process when there is no server.
 */
export type Database = PgDatabase<PgQueryResultHKT>;

export type DatabaseHandle = {
  db: Database;
  /** `postgres` (a server at DATABASE_URL) or `pglite` (embedded). */
  driver: 'postgres' | 'pglite';
  /** Where the data lives, for humans: the URL without its password, a folder, or "memory". */
  location: string;
  close(): Promise<void>;
};

export type DatabaseOptions = {
  /** A postgres:// URL; without one the embedded database is used. */
  url?: string;
  /** For the embedded database: a folder to persist to; omitted means in memory. */
  dataDir?: string;
  /** Most connections postgres.js opens. */
  poolMax?: number;
  /**
   * Longest any one statement may run, in ms; the server cancels it after that
   * (SQLSTATE 57014). Set as `statement_timeout` on every connection; 0 means no
   * limit. Not applied to the embedded database: PGlite runs queries on this
   * process's only thread, where no timer can interrupt them.
   */
  statementTimeoutMs?: number;
  /**
   * Longest a query or transaction waits for a free connection, in ms, when all
   * `poolMax` are busy; it then fails with a PoolTimeoutError instead of queueing
   * without end. The embedded database has one connection and no such bound.
   */
  poolTimeoutMs?: number;
  /** Called with every SQL statement sent (for statement counting and debugging). */
  onQuery?: (sql: string, params: unknown[]) => void;
};

/** Each pooled database's slots, so whoever holds the `db` can report its pool's use. */
const pools = new WeakMap<Database, PoolUse>();

/** How much of the database's pool is in use; undefined for the embedded database, which has no pool. */
export function poolUse(db: Database): PoolUse | undefined {
  return pools.get(db);
}

/** Where a process's database is: DATABASE_URL, or the embedded one under JUNCTION_DATA_DIR. */
export function databaseOptions(env: Env): DatabaseOptions {
  return env.DATABASE_URL
    ? { url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX, statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS, poolTimeoutMs: env.DATABASE_POOL_TIMEOUT_MS }
    : { dataDir: join(env.JUNCTION_DATA_DIR, 'pglite') };
}

const DEFAULT_POOL_MAX = 10;
const DEFAULT_STATEMENT_TIMEOUT_MS = 5_000;
const DEFAULT_POOL_TIMEOUT_MS = 5_000;

export async function openDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  const onQuery = options.onQuery;
  const logger: DrizzleLogger | undefined = onQuery ? { logQuery: (sql, params) => onQuery(sql, params) } : undefined;

  if (options.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const max = options.poolMax ?? DEFAULT_POOL_MAX;
    const client = postgres(options.url, {
      max,
      connect_timeout: 10,
      idle_timeout: 60,
      // No catalog query when a connection opens: if that query fails (cancelled
      // by statement_timeout, or its backend killed), postgres.js 3.4.9 drops the
      // rejection and the process dies of it (porsager/postgres#1192, #1223).
      // drizzle serializes and parses array columns itself, so nothing needs it.
      fetch_types: false,
      onnotice: () => {},
      connection: {
        application_name: 'junction',
        statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      },
    });
    const slots = new Slots(max, options.poolTimeoutMs ?? DEFAULT_POOL_TIMEOUT_MS);
    const db = drizzle({ client: boundedClient(client, slots), ...(logger ? { logger } : {}) });
    pools.set(db, slots);
    return {
      db,
      driver: 'postgres',
      location: redactUrl(options.url),
      close: () => client.end({ timeout: 5 }),
    };
  }

  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  let client;
  if (options.dataDir) {
    const dataDir = resolve(options.dataDir);
    await mkdir(dataDir, { recursive: true });
    client = await PGlite.create(dataDir);
  } else {
    client = await PGlite.create();
  }
  traceQueries(client);
  const db = drizzle({ client, ...(logger ? { logger } : {}) });
  return {
    db,
    driver: 'pglite',
    location: options.dataDir ? resolve(options.dataDir) : 'memory',
    close: () => client.close(),
  };
}

/**
 * Gives each statement drizzle sends to PGlite a span (lib/telemetry.ts), as
 * boundedClient does for postgres.js: drizzle-orm/pglite sends every statement
 * through `query`, on the client or on a transaction's handle.
 */
function traceQueries(client: PGlite): void {
  const query = client.query.bind(client);
  client.query = <T>(text: string, params?: unknown[], options?: QueryOptions) =>
    traceStatement(text, () => query<T>(text, params, options));
  const transaction = client.transaction.bind(client);
  client.transaction = <T>(callback: (tx: Transaction) => Promise<T>) =>
    transaction((tx) => {
      const txQuery = tx.query;
      tx.query = <R>(text: string, params?: unknown[], options?: QueryOptions) =>
        traceStatement(text, () => txQuery<R>(text, params, options));
      return callback(tx);
    });
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres';
  }
}

export { PoolTimeoutError, databaseFault, type DatabaseFault } from './db-faults.js';
export type { PoolUse } from './db-pool.js';
