import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql, type SQL } from 'drizzle-orm';
import { pino } from 'pino';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseFault,
  openDatabase,
  PoolTimeoutError,
  type Database,
  type DatabaseHandle,
  type DatabaseOptions,
} from '#lib/db.js';
import { databaseError, ErrorCode } from '#lib/errors.js';
import { migrateSubgraph } from '#lib/migrate.js';
import { createSubgraph as accounts } from '../subgraphs/accounts/src/server.js';
import { TEST_DATABASE_PREFIX } from './support/database.js';
import { testEnv } from './support/stack.js';

/**
 * Database faults on a real server: statements that run too long, a pool with
 * every connection busy, connections killed by pg_terminate_backend. Each ends
 * in a coded error within a bounded time, never a hang or a crash, and the next
 * queries succeed without a restart.
 */
const serverUrl = process.env.DATABASE_URL;
const name = `${TEST_DATABASE_PREFIX}${process.pid}_faults_${randomBytes(4).toString('hex')}`;
let url: string;
let admin: postgres.Sql;
/** The pools a test opened, closed after it. */
const opened: DatabaseHandle[] = [];

beforeAll(async () => {
  if (!serverUrl) return;
  admin = postgres(serverUrl, { max: 2, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${name}`;
  url = parsed.toString();
  const setup = await openDatabase({ url });
  await setup.db.execute(sql`create table notes (id int primary key)`);
  await migrateSubgraph(setup.db, 'accounts');
  await setup.close();
});

afterAll(async () => {
  if (!serverUrl) return;
  await admin`drop database if exists ${admin(name)} with (force)`;
  await admin.end();
});

/** A pool on this file's database, closed after the test. */
async function open(options: Omit<DatabaseOptions, 'url'> = {}): Promise<DatabaseHandle> {
  const handle = await openDatabase({ url, ...options });
  opened.push(handle);
  return handle;
}

/** Terminates this file's database's connections (only its own), those whose query matches if given. */
async function kill(querying?: string): Promise<number> {
  const rows = await admin<{ pid: number }[]>`
    select pid from pg_stat_activity
    where datname = ${name} and pid <> pg_backend_pid() and application_name = 'junction'
      ${querying === undefined ? admin`` : admin`and query like ${`%${querying}%`}`}`;
  await Promise.all(rows.map(({ pid }) => admin`select pg_terminate_backend(${pid})`));
  return rows.length;
}

/** Waits until a statement matching `querying` is running on this file's database. */
async function running(querying: string): Promise<void> {
  for (let waited = 0; waited < 5_000; waited += 20) {
    const [row] = await admin<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where datname = ${name} and state = 'active' and query like ${`%${querying}%`} and pid <> pg_backend_pid()`;
    if (row!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`never saw a statement like ${querying}`);
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

const elapsed = (since: number) => performance.now() - since;
const sleep = (seconds: number) => sql`select pg_sleep(${seconds})`;
/** Sends a statement now: drizzle's queries only start when awaited. */
const start = <T>(query: PromiseLike<T>): Promise<T> => Promise.resolve(query);
/** The rows a statement returns (postgres.js answers with an array of them). */
async function rows<T>(db: Database, query: SQL): Promise<T[]> {
  return [...((await db.execute(query)) as unknown as Iterable<T>)];
}
const notes = async (db: Database) => (await rows<{ id: number }>(db, sql`select id from notes order by id`)).map((row) => row.id);

/**
 * Proof that no slot leaked: `poolMax` statements at once, each longer than
 * the pool's poolTimeoutMs, can only all succeed if every slot is free.
 */
async function expectAllSlotsFree(db: Database, poolMax: number, seconds = 0.4): Promise<void> {
  const results = await Promise.all(Array.from({ length: poolMax }, () => db.execute(sleep(seconds))));
  expect(results).toHaveLength(poolMax);
}

describe.skipIf(!serverUrl)('database faults', () => {
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((handle) => handle.close()));
  });

  it('cancels a statement past statement_timeout with DATABASE_TIMEOUT, and the connection stays usable', async () => {
    const { db } = await open({ poolMax: 2, statementTimeoutMs: 200, poolTimeoutMs: 100 });
    // Every connection the pool opens has the limit.
    const query = sql`select current_setting('statement_timeout') as value, pg_sleep(0.05)`;
    const settings = await Promise.all([1, 2].map(() => rows<{ value: string }>(db, query)));
    expect(settings.map(([row]) => row!.value)).toEqual(['200ms', '200ms']);

    const started = performance.now();
    const error = await failure(db.execute(sleep(2)));
    expect(elapsed(started)).toBeLessThan(1_500);
    expect(databaseFault(error)).toBe('timeout');
    expect(databaseError(error)?.extensions.code).toBe(ErrorCode.DATABASE_TIMEOUT);
    expect(databaseError(error)?.message).toBe('The query took too long.');

    expect(await rows(db, sql`select 1 as one`)).toEqual([{ one: 1 }]);
    await expectAllSlotsFree(db, 2, 0.15);
  });

  it('fails a query that waits past poolTimeoutMs for a connection, then serves it once one is free', async () => {
    const { db } = await open({ poolMax: 2, statementTimeoutMs: 5_000, poolTimeoutMs: 300 });
    const holding = [start(db.execute(sleep(1))), start(db.execute(sleep(1)))];
    await running('pg_sleep');

    const started = performance.now();
    const error = await failure(db.execute(sql`select 1 as one`));
    expect(elapsed(started)).toBeGreaterThanOrEqual(250);
    expect(elapsed(started)).toBeLessThan(800);
    expect(databaseFault(error)).toBe('unavailable');
    expect((error as { cause?: unknown }).cause).toBeInstanceOf(PoolTimeoutError);
    expect(databaseError(error)?.extensions.code).toBe(ErrorCode.DATABASE_UNAVAILABLE);
    expect(databaseError(error)?.message).toBe('The database is unavailable; try again.');

    await Promise.all(holding);
    expect(await rows(db, sql`select 1 as one`)).toEqual([{ one: 1 }]);
    await expectAllSlotsFree(db, 2);
  });

  it('counts a transaction as one connection for as long as it is open', async () => {
    const { db } = await open({ poolMax: 2, statementTimeoutMs: 5_000, poolTimeoutMs: 300 });
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const transaction = db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      await finished;
    });
    const sleeping = start(db.execute(sleep(1)));
    await running('pg_sleep');

    const error = await failure(db.execute(sql`select 1 as one`));
    expect(databaseFault(error)).toBe('unavailable');

    finish();
    await Promise.all([transaction, sleeping]);
    await expectAllSlotsFree(db, 2);
  });

  it('serves the next queries after every connection is terminated', async () => {
    const { db } = await open({ poolMax: 4, poolTimeoutMs: 2_000 });
    await Promise.all(Array.from({ length: 4 }, () => db.execute(sleep(0.05))));
    expect(await kill()).toBe(4);

    // Straight away: reads whose connection turns out dead are tried again.
    const reads = await Promise.all(Array.from({ length: 12 }, (_, i) => rows<{ i: number }>(db, sql`select ${i}::int as i`)));
    expect(reads.map(([row]) => row!.i)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    // And writes, on the reconnected pool.
    await db.execute(sql`insert into notes values (1)`);
    expect(await notes(db)).toContain(1);
    await db.execute(sql`delete from notes`);
  });

  it('fails a write whose connection is terminated mid-statement with DATABASE_UNAVAILABLE, not a hang', async () => {
    const { db } = await open({ poolMax: 2, poolTimeoutMs: 300 });
    const started = performance.now();
    const write = failure(db.execute(sql`insert into notes select 2 from pg_sleep(10)`));
    await running('insert into notes');
    expect(await kill('insert into notes')).toBe(1);

    const error = await write;
    expect(elapsed(started)).toBeLessThan(5_000);
    expect(databaseFault(error)).toBe('connection-lost');
    expect(databaseError(error)?.extensions.code).toBe(ErrorCode.DATABASE_UNAVAILABLE);
    expect(await notes(db)).toEqual([]);
    await expectAllSlotsFree(db, 2);
  });

  it('tries a read whose connection is terminated again, twice at most', async () => {
    const { db } = await open({ poolMax: 2, poolTimeoutMs: 300 });
    const read = start(db.execute(sql`select 'once' as attempt from pg_sleep(0.5)`));
    await running(`select 'once'`);
    await kill(`select 'once'`);
    expect([...((await read) as unknown as Iterable<unknown>)]).toEqual([{ attempt: 'once' }]);

    // Killed on every attempt: it gives up with the coded error after three at
    // most (or two, when the reconnected connection replays the old backend's
    // 57P01 onto the first retry without sending it).
    let settled = false;
    const started = performance.now();
    const doomed = failure(db.execute(sql`select 'always' from pg_sleep(10)`)).finally(() => (settled = true));
    let kills = 0;
    while (!settled && elapsed(started) < 5_000) {
      kills += await kill(`select 'always'`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const error = await doomed;
    expect(elapsed(started)).toBeLessThan(5_000);
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(kills).toBeLessThanOrEqual(3);
    expect(databaseFault(error)).toBe('connection-lost');
    await expectAllSlotsFree(db, 2);
  });

  it('rolls back a transaction whose connection is terminated mid-statement', async () => {
    const { db } = await open({ poolMax: 2, poolTimeoutMs: 300 });
    const transaction = failure(
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into notes values (3)`);
        await tx.execute(sql`select pg_sleep(10)`);
        await tx.execute(sql`insert into notes values (4)`);
      }),
    );
    await running('pg_sleep(');
    await kill('pg_sleep(');

    const error = await transaction;
    expect(databaseFault(error)).toBe('connection-lost');
    expect(await notes(db)).toEqual([]);
    await expectAllSlotsFree(db, 2);
  });

  it('rolls back a transaction whose connection is terminated between statements, sending nothing more', async () => {
    const { db } = await open({ poolMax: 2, poolTimeoutMs: 300 });
    let inserted!: () => void;
    const didInsert = new Promise<void>((resolve) => (inserted = resolve));
    let killed!: () => void;
    const afterKill = new Promise<void>((resolve) => (killed = resolve));
    let lateFailed!: (error: unknown) => void;
    const lateFailure = new Promise<unknown>((resolve) => (lateFailed = resolve));
    const transaction = failure(
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into notes values (5)`);
        inserted();
        await afterKill;
        // postgres.js would write this to the closed socket (an uncaught TypeError
        // that ends the process) or, reconnected, outside the transaction.
        const error = await failure(tx.execute(sql`insert into notes values (6)`));
        lateFailed(error);
        throw error;
      }),
    );
    await didInsert;
    expect(await kill()).toBe(1);

    const error = await transaction;
    expect(databaseFault(error)).toBe('connection-lost');
    killed();
    expect(databaseFault(await lateFailure)).toBe('connection-lost');
    expect(await notes(db)).toEqual([]);
    await expectAllSlotsFree(db, 2);
  });

  it('does not commit a transaction whose connection is terminated before its callback returns', async () => {
    const { db } = await open({ poolMax: 2, poolTimeoutMs: 300 });
    let inserted!: () => void;
    const didInsert = new Promise<void>((resolve) => (inserted = resolve));
    let killed!: () => void;
    const afterKill = new Promise<void>((resolve) => (killed = resolve));
    const transaction = failure(
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into notes values (7)`);
        inserted();
        // Returns normally: postgres.js would now write COMMIT to the closed socket.
        await afterKill;
      }),
    );
    await didInsert;
    expect(await kill()).toBe(1);

    expect(databaseFault(await transaction)).toBe('connection-lost');
    killed();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await notes(db)).toEqual([]);
    await expectAllSlotsFree(db, 2);
  });
});

describe.skipIf(!serverUrl)('database faults through a subgraph', () => {
  const logged: string[] = [];
  let handle: DatabaseHandle | undefined;
  /** The accounts subgraph, formatting errors for production (true) or development (false). */
  const subgraphs = new Map<boolean, ReturnType<typeof accounts>>();

  beforeAll(async () => {
    if (!serverUrl) return;
    handle = await openDatabase({ url, poolMax: 2, statementTimeoutMs: 300, poolTimeoutMs: 300 });
    const log = new Writable({
      write: (line, _encoding, done) => {
        logged.push(String(line));
        done();
      },
    });
    const logger = pino({ level: 'error' }, log);
    for (const production of [true, false]) {
      subgraphs.set(production, accounts({ db: handle.db, env: { ...testEnv(), production }, logger }));
    }
  });
  afterAll(() => handle?.close());

  async function execute(query: string, { production = true } = {}) {
    const subgraph = subgraphs.get(production)!;
    const response = await subgraph.server.executeOperation(
      { query },
      { contextValue: subgraph.context({ requestId: 'test' }) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  }

  /** Holds an exclusive lock on accounts.users, from another connection, until released. */
  async function lockUsers(): Promise<() => Promise<void>> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const locker = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: 'locker' } });
    const holding = locker.begin(async (tx) => {
      await tx`lock table accounts.users in access exclusive mode`;
      locked();
      await released;
    });
    await isLocked;
    return async () => {
      release();
      await holding;
      await locker.end();
    };
  }

  it('answers DATABASE_TIMEOUT, without the SQL, when a statement runs too long, in production and development', async () => {
    const unlock = await lockUsers();
    const results = [
      await execute('{ users(first: 5) { id } }', { production: true }),
      await execute('{ users(first: 5) { id } }', { production: false }),
    ];
    await unlock();

    for (const result of results) {
      expect(result.errors?.map((error) => error.extensions?.code)).toEqual([ErrorCode.DATABASE_TIMEOUT]);
      expect(result.errors?.[0]?.message).toBe('The query took too long.');
      expect(result.errors?.[0]?.path).toEqual(['users']);
      expect(JSON.stringify(result)).not.toMatch(/select|from|accounts|pg_|127\.0\.0\.1|5432|stacktrace/i);
    }
    expect(logged.join('')).toContain('Failed query: select');
    // Under the request's id, which the gateway forwards: the subgraph's line joins the gateway's.
    const faults = logged.map((line) => JSON.parse(line) as { msg: string; requestId?: string }).filter((line) => line.msg === 'database fault');
    expect(faults.length).toBeGreaterThanOrEqual(2);
    for (const fault of faults) expect(fault.requestId).toBe('test');

    expect((await execute('{ users(first: 1) { id } }')).errors).toBeUndefined();
  });

  it('answers DATABASE_UNAVAILABLE, without the SQL, when the connection is killed under a write, then recovers', async () => {
    const unlock = await lockUsers();
    const pending = execute(
      'mutation { createUser(input: { name: "Grace Hopper", username: "grace", email: "grace@example.net" }) { id } }',
    );
    await running('insert into "accounts"."users"');
    expect(await kill('insert into "accounts"."users"')).toBe(1);
    const result = await pending;
    await unlock();

    expect(result.errors?.map((error) => error.extensions?.code)).toEqual([ErrorCode.DATABASE_UNAVAILABLE]);
    expect(result.errors?.[0]?.message).toBe('The database is unavailable; try again.');
    expect(JSON.stringify(result)).not.toMatch(/insert|accounts|grace@|127\.0\.0\.1|5432|stacktrace/i);
    expect(logged.join('')).toContain('Failed query: insert into');

    // No restart: the same subgraph serves the next requests, and the write never happened.
    const after = await execute('{ users(first: 10) { username } }');
    expect(after.errors).toBeUndefined();
    expect(after.data).toEqual({ users: [] });
  });
});
