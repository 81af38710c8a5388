import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Logger as DrizzleLogger } from 'drizzle-orm/logger';
import type { PGlite, QueryOptions, Transaction } from '@electric-sql/pglite';
import { sessionNotifications } from './db-notifications.js';
import { claimDataDir, describeHolder, socketPathOf, type EmbeddedSharing } from './db-embedded.js';
import type { ServedAddress } from './db-lock.js';
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
  /**
   * For the embedded database in `dataDir`: how this process shares it with
   * others (lib/db-embedded.ts). `hold`: opens and serves it, or refuses when
   * another process serves it (npm start, npm run dev); `serve`: uses the one
   * served, or opens and serves it (a long-running process); `use`, the
   * default: uses the one served, or opens it for as long as it runs.
   */
  embedded?: EmbeddedSharing;
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

/** How much of the database's pool is in use; undefined for the embedded database in this process, which has no pool. */
export function poolUse(db: Database): PoolUse | undefined {
  return pools.get(db);
}

/**
 * Listens on a notification channel of the database (LISTEN), calling
 * `onPayload` with each NOTIFY's payload until the returned function is
 * called. lib/db-events.ts builds on it; nothing else should need it.
 */
export type Listen = (channel: string, onPayload: (payload: string) => void) => Promise<() => Promise<void>>;

/** Each database's way to LISTEN, which depends on its driver: see `databaseListen`. */
const listens = new WeakMap<Database, Listen>();

/**
 * How to LISTEN on `db`: postgres.js's `listen` (one connection of its own,
 * outside the pool) on a server or on another process's embedded database,
 * whose socket server relays notifications (lib/db-socket-relay.ts); the
 * session's hub (lib/db-notifications.ts) on the embedded database of this process.
 */
export function databaseListen(db: Database): Listen {
  const listen = listens.get(db);
  if (!listen) throw new Error('This database was not opened with openDatabase: it cannot LISTEN.');
  return listen;
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
/** Connections to another process's embedded database: its one session runs one client's work at a time, so more would only wait there. */
const SERVED_POOL_MAX = 4;

export async function openDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  const onQuery = options.onQuery;
  const logger: DrizzleLogger | undefined = onQuery ? { logQuery: (sql, params) => onQuery(sql, params) } : undefined;

  if (options.url) {
    const opened = await openPostgres(options.url, {
      max: options.poolMax ?? DEFAULT_POOL_MAX,
      poolTimeoutMs: options.poolTimeoutMs ?? DEFAULT_POOL_TIMEOUT_MS,
      statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      logger,
    });
    return { ...opened, driver: 'postgres', location: redactUrl(options.url) };
  }
  if (!options.dataDir) return (await openPglite(undefined, logger)).handle;

  const dataDir = resolve(options.dataDir);
  await mkdir(dirname(dataDir), { recursive: true });
  const claim = await claimDataDir(dataDir, options.embedded ?? 'use');
  if (claim.kind === 'served') {
    // Another process holds the data directory: through its socket, as to a server.
    const opened = await openPostgres(claim.address, { max: SERVED_POOL_MAX, poolTimeoutMs: options.poolTimeoutMs ?? DEFAULT_POOL_TIMEOUT_MS, logger });
    return { ...opened, driver: 'pglite', location: `${dataDir}, served by ${describeHolder(claim.holder)}` };
  }

  const { lock } = claim;
  try {
    await mkdir(dataDir, { recursive: true });
    // A socket file left in the directory by a holder that died is not PGlite's.
    await rm(socketPathOf(dataDir), { force: true });
    const { handle, client } = await openPglite(dataDir, logger);
    if (!claim.serve) return { ...handle, close: () => handle.close().finally(lock.release) };
    const { serveDatabase } = await import('./db-socket.js');
    const server = await serveDatabase(client, socketPathOf(dataDir)).catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    lock.serving(server.address);
    return {
      ...handle,
      async close() {
        try {
          // Clients first: what one left open is rolled back before PGlite closes.
          await server.stop();
          await handle.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * postgres.js, at a server's URL or at the socket where another process
 * serves its embedded database, behind the bounded pool (db-pool.ts).
 */
async function openPostgres(
  where: string | ServedAddress,
  settings: { max: number; poolTimeoutMs: number; statementTimeoutMs?: number; logger: DrizzleLogger | undefined },
): Promise<{ db: Database; close(): Promise<void> }> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const common = {
    max: settings.max,
    connect_timeout: 10,
    idle_timeout: 60,
    // No catalog query when a connection opens: if that query fails (cancelled
    // by statement_timeout, or its backend killed), postgres.js 3.4.9 drops the
    // rejection and the process dies of it (porsager/postgres#1192, #1223).
    // drizzle serializes and parses array columns itself, so nothing needs it.
    fetch_types: false,
    onnotice: () => {},
  };
  const client =
    typeof where === 'string'
      ? postgres(where, {
          ...common,
          connection: { application_name: 'junction', statement_timeout: settings.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS },
        })
      : // PGlite is one session shared by every client: nothing named may outlive a statement
        // (prepared statements would collide between processes), and no setting is sent for the
        // session (PGlite ignores startup parameters; it cannot interrupt a statement anyway).
        postgres({ ...where, user: 'postgres', database: 'postgres', prepare: false, ...common });
  const slots = new Slots(settings.max, settings.poolTimeoutMs);
  const db = drizzle({ client: boundedClient(client, slots), ...(settings.logger ? { logger: settings.logger } : {}) });
  pools.set(db, slots);
  listens.set(db, async (channel, onPayload) => (await client.listen(channel, onPayload)).unlisten);
  return { db, close: () => client.end({ timeout: 5 }) };
}

async function openPglite(dataDir: string | undefined, logger: DrizzleLogger | undefined): Promise<{ handle: DatabaseHandle; client: PGlite }> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const client = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  traceQueries(client);
  const db = drizzle({ client, ...(logger ? { logger } : {}) });
  const notifications = sessionNotifications(client);
  listens.set(db, (channel, onPayload) => notifications.listen(channel, onPayload));
  return { client, handle: { db, driver: 'pglite', location: dataDir ?? 'memory', close: () => client.close() } };
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
