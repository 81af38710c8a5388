import { randomBytes } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import postgres from 'postgres';
import { expect } from 'vitest';
import { openDatabase, type Database, type DatabaseHandle, type DatabaseOptions } from '#lib/db.js';
import { migrateSubgraph } from '#lib/migrate.js';
import { TEST_DATABASE_PREFIX } from './database.js';

/**
 * A database of its own on the real Postgres server, for tests that break it:
 * they kill its connections with pg_terminate_backend, which the embedded
 * database cannot do, so without DATABASE_URL they skip. It has a `notes`
 * table and the accounts subgraph's migrations.
 */
export const serverUrl = process.env.DATABASE_URL;

export type FaultDatabase = {
  /** The database's URL (throws without DATABASE_URL). */
  readonly url: string;
  /** Creates the database and migrates it (in beforeAll); nothing without DATABASE_URL. */
  create(): Promise<void>;
  /** Drops it, whatever is still connected (in afterAll). */
  drop(): Promise<void>;
  /** A pool on this database, closed by closeOpened(). */
  open(options?: Omit<DatabaseOptions, 'url'>): Promise<DatabaseHandle>;
  /** Closes the pools the last test opened (in afterEach). */
  closeOpened(): Promise<void>;
  /** Terminates this database's connections (only its own), those whose query matches if given. */
  kill(querying?: string): Promise<number>;
  /** Waits until a statement matching `querying` is running on this database. */
  running(querying: string): Promise<void>;
};

export function faultDatabase(): FaultDatabase {
  const name = `${TEST_DATABASE_PREFIX}${process.pid}_faults_${randomBytes(4).toString('hex')}`;
  let admin: postgres.Sql | undefined;
  /** The pools a test opened, closed after it. */
  const opened: DatabaseHandle[] = [];

  const databaseUrl = (): string => {
    if (!serverUrl) throw new Error('a fault database needs DATABASE_URL');
    const parsed = new URL(serverUrl);
    parsed.pathname = `/${name}`;
    return parsed.toString();
  };
  const connection = (): postgres.Sql => {
    if (!admin) throw new Error('the fault database is not created: call create() in beforeAll');
    return admin;
  };

  return {
    get url() {
      return databaseUrl();
    },
    async create() {
      if (!serverUrl) return;
      admin = postgres(serverUrl, { max: 2, onnotice: () => {} });
      await admin`create database ${admin(name)}`;
      const setup = await openDatabase({ url: databaseUrl() });
      await setup.db.execute(sql`create table notes (id int primary key)`);
      await migrateSubgraph(setup.db, 'accounts');
      await setup.close();
    },
    async drop() {
      if (!admin) return;
      await admin`drop database if exists ${admin(name)} with (force)`;
      await admin.end();
    },
    async open(options = {}) {
      const handle = await openDatabase({ url: databaseUrl(), ...options });
      opened.push(handle);
      return handle;
    },
    async closeOpened() {
      await Promise.all(opened.splice(0).map((handle) => handle.close()));
    },
    async kill(querying) {
      const admin = connection();
      const rows = await admin<{ pid: number }[]>`
        select pid from pg_stat_activity
        where datname = ${name} and pid <> pg_backend_pid() and application_name = 'junction'
          ${querying === undefined ? admin`` : admin`and query like ${`%${querying}%`}`}`;
      await Promise.all(rows.map(({ pid }) => admin`select pg_terminate_backend(${pid})`));
      return rows.length;
    },
    async running(querying) {
      const admin = connection();
      for (let waited = 0; waited < 5_000; waited += 20) {
        const [row] = await admin<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = ${name} and state = 'active' and query like ${`%${querying}%`} and pid <> pg_backend_pid()`;
        if (row!.n > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`never saw a statement like ${querying}`);
    },
  };
}

/** The error a piece of work fails with; throws if it succeeds. */
export async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

export const elapsed = (since: number) => performance.now() - since;
export const sleep = (seconds: number) => sql`select pg_sleep(${seconds})`;
/** Sends a statement now: drizzle's queries only start when awaited. */
export const start = <T>(query: PromiseLike<T>): Promise<T> => Promise.resolve(query);
/** The rows a statement returns (postgres.js answers with an array of them). */
export async function rows<T>(db: Database, query: SQL): Promise<T[]> {
  return [...((await db.execute(query)) as unknown as Iterable<T>)];
}
export const notes = async (db: Database) => (await rows<{ id: number }>(db, sql`select id from notes order by id`)).map((row) => row.id);

/**
 * Proof that no slot leaked: `poolMax` statements at once, each longer than
 * the pool's poolTimeoutMs, can only all succeed if every slot is free.
 */
export async function expectAllSlotsFree(db: Database, poolMax: number, seconds = 0.4): Promise<void> {
  const results = await Promise.all(Array.from({ length: poolMax }, () => db.execute(sleep(seconds))));
  expect(results).toHaveLength(poolMax);
}
