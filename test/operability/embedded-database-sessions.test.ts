import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type DatabaseHandle } from '#lib/db.js';
import { DataDirInUseError, lockPathOf, socketPathOf } from '#lib/db-embedded.js';

/**
 * The embedded database served to other processes (lib/db-socket.ts), seen
 * from both sides in one process: the holder's own queries through PGlite,
 * its clients through postgres.js on the Unix socket, as `junction api-key`
 * or `npm run db:migrate` reach `npm start`. PGlite is one session: neither
 * side may ever run inside the other's transaction or batch.
 */
let root: string;
let dataDir: string;
const opened: DatabaseHandle[] = [];

async function open(options: { embedded?: 'hold' | 'serve' | 'use'; dir?: string } = {}): Promise<DatabaseHandle> {
  const handle = await openDatabase({ dataDir: options.dir ?? dataDir, embedded: options.embedded ?? 'use' });
  opened.push(handle);
  return handle;
}

async function closeAll(): Promise<void> {
  // Clients before the holder, which is opened first.
  for (const handle of opened.reverse()) await handle.close();
  opened.length = 0;
}

const rowsOf = (result: unknown): Record<string, unknown>[] =>
  Array.isArray(result) ? (result as Record<string, unknown>[]) : (result as { rows: Record<string, unknown>[] }).rows;

async function countOf(db: Database, who: string): Promise<number> {
  return Number(rowsOf(await db.execute(sql`select count(*)::int as n from seen where who = ${who}`))[0]!.n);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'junction-sessions-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
afterEach(closeAll);

describe('one PGlite session, taken in turns', () => {
  beforeAll(() => {
    dataDir = join(root, 'sessions', 'pglite');
  });

  it("never lets the holder's queries into a client's transaction, nor a client's into the holder's", async () => {
    const holder = await open({ embedded: 'hold' });
    await holder.db.execute(sql`create table if not exists seen (who text)`);
    const writer = await open();
    const reader = await open();
    expect(writer.location).toMatch(/served by pid \d+/);

    let stop = false;
    const progress = { clientTransactions: 0, holderTransactions: 0, holderReads: 0, clientReads: 0 };
    const sightings: string[] = [];
    // Each side writes a row in a transaction it then rolls back: no one else may ever count it.
    const rolledBack = async (db: Database, who: string, count: () => void) => {
      while (!stop) {
        await db
          .transaction(async (tx) => {
            await tx.execute(sql`insert into seen values (${who})`);
            await sleep(3);
            throw new Error('roll back');
          })
          .catch((error: Error) => expect(error.message).toBe('roll back'));
        count();
      }
    };
    const watch = async (db: Database, who: string, count: () => void) => {
      while (!stop) {
        if ((await countOf(db, who)) > 0) sightings.push(who);
        count();
      }
    };
    const running = [
      rolledBack(writer.db, 'client', () => progress.clientTransactions++),
      rolledBack(holder.db, 'holder', () => progress.holderTransactions++),
      watch(holder.db, 'client', () => progress.holderReads++),
      watch(reader.db, 'holder', () => progress.clientReads++),
    ];
    await sleep(2_000);
    stop = true;
    await Promise.all(running);

    expect(sightings).toEqual([]);
    for (const done of Object.values(progress)) expect(done).toBeGreaterThan(5);
  });

  it('gives every statement of several clients, sent at once, its own answer', async () => {
    const holder = await open({ embedded: 'hold' });
    const clients = [await open(), await open(), await open()];
    const asked = Array.from({ length: 400 }, (_, n) => n);
    // Statements of different shapes: a Bind that met another client's Parse would fail or answer wrong.
    const answers = await Promise.all(
      asked.map(async (n) => {
        const db = n % 4 === 3 ? holder.db : clients[n % 4]!.db;
        const statement =
          n % 2 === 0
            ? sql`select ${n}::int as n, repeat('x', ${n}) as text`
            : sql`select ${String(n)}::text::int as n, repeat('y', ${n}::int) as text, ${n % 7} as extra`;
        const [row] = rowsOf(await db.execute(statement));
        return [Number(row!.n), String(row!.text).length];
      }),
    );
    expect(answers).toEqual(asked.map((n) => [n, n]));
  });

  it('rolls back what a client that went away left open, and the holder goes on', async () => {
    const holder = await open({ embedded: 'hold' });
    await holder.db.execute(sql`create table if not exists seen (who text)`);
    // A client as psql would be: a connection of its own, in the middle of a transaction.
    const client = postgres({ path: socketPathOf(dataDir), max: 1, prepare: false, onnotice: () => {} });
    const reserved = await client.reserve();
    await reserved`begin`;
    await reserved`insert into seen values ('left open')`;

    const waiting = countOf(holder.db, 'left open');
    const early = await Promise.race([waiting.then(() => 'answered'), sleep(300).then(() => 'waiting')]);
    expect(early).toBe('waiting');

    await client.end({ timeout: 0 });
    expect(await waiting).toBe(0);
    expect(await countOf(holder.db, 'left open')).toBe(0);
  });
});

describe('the lock on the data directory', () => {
  beforeAll(() => {
    dataDir = join(root, 'lock', 'pglite');
  });

  it('refuses a second holder, naming the first', async () => {
    await open({ embedded: 'hold' });
    const refused = await open({ embedded: 'hold' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect((refused as Error).message).toMatch(
      new RegExp(`^The embedded database in ${dataDir} is in use by pid ${process.pid} \\(node .*, since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\)\\. Stop that process first`),
    );
  });

  it('makes a command wait for one that opened it without serving it, then opens it', async () => {
    const first = await open();
    expect(JSON.parse(await readFile(lockPathOf(dataDir), 'utf8'))).toMatchObject({ pid: process.pid, serves: false });
    expect(first.location).toBe(dataDir);

    const opening = openDatabase({ dataDir });
    await sleep(1_500);
    expect(await Promise.race([opening.then(() => 'opened'), sleep(10).then(() => 'waiting')])).toBe('waiting');
    await first.close();
    opened.splice(opened.indexOf(first), 1);
    const second = await opening;
    opened.push(second);
    expect(second.location).toBe(dataDir);
  });

  it('takes over a lock whose process is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await writeFile(lockPathOf(dataDir), JSON.stringify({ pid: Number(gone.stdout), command: 'npm start', since: new Date().toISOString(), serves: true, address: { path: socketPathOf(dataDir) } }));
    await open({ embedded: 'hold' });
    expect(JSON.parse(await readFile(lockPathOf(dataDir), 'utf8'))).toMatchObject({ pid: process.pid, serves: true, address: { path: socketPathOf(dataDir) } });
  });

  it('serves on a TCP port of 127.0.0.1 when the socket path would be too long', async () => {
    const deep = join(root, 'x'.repeat(100), 'pglite');
    await open({ embedded: 'hold', dir: deep });
    const lock = JSON.parse(await readFile(lockPathOf(deep), 'utf8')) as { address: { host: string; port: number } };
    expect(lock.address).toEqual({ host: '127.0.0.1', port: expect.any(Number) });
    const client = await open({ dir: deep });
    expect(rowsOf(await client.db.execute(sql`select 1 as one`))).toEqual([{ one: 1 }]);
  });
});
