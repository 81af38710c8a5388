import { Writable } from 'node:stream';
import { pino } from 'pino';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '#lib/db.js';
import { ErrorCode } from '#lib/errors.js';
import { createSubgraph as accounts } from '../../subgraphs/accounts/src/server.js';
import { faultDatabase, serverUrl } from '../support/fault-database.js';
import { testEnv } from '../support/stack.js';

/**
 * Database faults as a client of a subgraph sees them, on a real server: a
 * statement that runs too long, a connection killed under a write. The answer
 * carries a coded error and never the SQL, the log has the detail under the
 * request's id, and the same subgraph serves the next requests.
 */
const database = faultDatabase();
const { kill, running } = database;

beforeAll(database.create);
afterAll(database.drop);

describe.skipIf(!serverUrl)('database faults through a subgraph', () => {
  const logged: string[] = [];
  let handle: DatabaseHandle | undefined;
  /** The accounts subgraph, formatting errors for production (true) or development (false). */
  const subgraphs = new Map<boolean, ReturnType<typeof accounts>>();

  beforeAll(async () => {
    if (!serverUrl) return;
    handle = await openDatabase({ url: database.url, poolMax: 2, statementTimeoutMs: 300, poolTimeoutMs: 300 });
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
    const locker = postgres(database.url, { max: 1, onnotice: () => {}, connection: { application_name: 'locker' } });
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
