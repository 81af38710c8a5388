import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseFault } from '#lib/db.js';
import { databaseError, ErrorCode } from '#lib/errors.js';
import {
  elapsed,
  expectAllSlotsFree,
  failure,
  faultDatabase,
  notes,
  rows,
  serverUrl,
  sleep,
  start,
} from '../support/fault-database.js';

/**
 * Connections killed by pg_terminate_backend on a real server: all of them
 * between queries, or one under a write, a read or a transaction. A write ends
 * in a coded error within a bounded time, never a hang or a crash; a read is
 * tried again; a transaction is rolled back; and the next queries succeed
 * without a restart.
 */
const database = faultDatabase();
const { open, kill, running } = database;

beforeAll(database.create);
afterAll(database.drop);

describe.skipIf(!serverUrl)('database faults', () => {
  afterEach(database.closeOpened);

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
