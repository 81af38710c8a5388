import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseFault, PoolTimeoutError } from '#lib/db.js';
import { databaseError, ErrorCode } from '#lib/errors.js';
import {
  elapsed,
  expectAllSlotsFree,
  failure,
  faultDatabase,
  rows,
  serverUrl,
  sleep,
  start,
} from '../support/fault-database.js';

/**
 * Database timeouts on a real server: a statement that runs past
 * statement_timeout, a query that waits past poolTimeoutMs for a connection
 * while every one is busy. Each ends in a coded error within a bounded time,
 * never a hang, and the next queries succeed on the same pool.
 */
const database = faultDatabase();
const { open, running } = database;

beforeAll(database.create);
afterAll(database.drop);

describe.skipIf(!serverUrl)('database faults', () => {
  afterEach(database.closeOpened);

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
});
