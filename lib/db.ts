import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Logger as DrizzleLogger } from 'drizzle-orm/logger';

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
  /** Called with every SQL statement sent (for statement counting and debugging). */
  onQuery?: (sql: string, params: unknown[]) => void;
};

export async function openDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  const onQuery = options.onQuery;
  const logger: DrizzleLogger | undefined = onQuery ? { logQuery: (sql, params) => onQuery(sql, params) } : undefined;

  if (options.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const client = postgres(options.url, {
      max: options.poolMax ?? 10,
      connect_timeout: 10,
      idle_timeout: 60,
      onnotice: () => {},
      connection: { application_name: 'junction' },
    });
    const db = drizzle({ client, ...(logger ? { logger } : {}) });
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
  const db = drizzle({ client, ...(logger ? { logger } : {}) });
  return {
    db,
    driver: 'pglite',
    location: options.dataDir ? resolve(options.dataDir) : 'memory',
    close: () => client.close(),
  };
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
