import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockPathOf, socketPathOf } from '#lib/db-embedded.js';
import { post } from '../support/graphql.js';
import { junctionPorts, run, type Running } from '../support/processes.js';

/**
 * The embedded database is one process's, and every other command goes
 * through that process: the newcomer's sequences, replayed with real
 * processes on one data directory (never DATABASE_URL). While `npm start`
 * runs, `junction api-key create` makes a key the running gateway accepts
 * and that outlives a restart, and `npm run db:migrate` loses no row; the
 * same with `npm run dev`; a second `npm start` refuses, naming the first;
 * a lock left by a process that died is taken over.
 */
const TIMEOUT_MS = 240_000;
const QUERY = '{ topProducts(first: 2) { upc name } }';
const WELL_FORMED = `jk_${'A'.repeat(43)}`;

let dir: string;
let pgliteDir: string;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'junction-shared-'));
  pgliteDir = join(dir, 'pglite');
  env = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    JUNCTION_DATA_DIR: dir,
    DATABASE_URL: undefined,
    ...(await junctionPorts()).env,
  };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(): Promise<{ junction: Running; url: string }> {
  const junction = run('npm', ['start'], env);
  try {
    const [, url] = await junction.waitFor(/Junction is running: (\S+)/, 180_000);
    return { junction, url: url! };
  } catch (error) {
    junction.child.kill('SIGKILL');
    throw error;
  }
}

async function stop(junction: Running): Promise<void> {
  junction.interrupt();
  expect([0, 'SIGINT']).toContain(await junction.exited);
  await junction.groupGone();
}

/** A one-off command, to its end: its exit code and what it printed. */
async function command(args: string[], extra: Record<string, string> = {}): Promise<{ code: unknown; output: string }> {
  const running = run(args[0]!, args.slice(1), { ...env, ...extra });
  const code = await running.exited;
  return { code, output: running.output() };
}

async function createKey(): Promise<string> {
  const made = await command(['node', 'bin/junction.js', 'api-key', 'create', '--name', 'Newcomer', '--client', 'web']);
  expect(made.code, made.output).toBe(0);
  const key = /^key\s+(jk_\S+)$/m.exec(made.output)?.[1];
  expect(key, made.output).toBeDefined();
  return key!;
}

/** What the holder serves, read as any Postgres client would: postgres.js at the socket's directory, as `psql -h` does. */
async function productCount(): Promise<number> {
  const sql = postgres({ host: pgliteDir, port: 5432, user: 'postgres', database: 'postgres', max: 1, prepare: false, onnotice: () => {} });
  try {
    const [row] = await sql<{ count: number }[]>`select count(*)::int as count from products.products`;
    return row!.count;
  } finally {
    await sql.end();
  }
}

type LockRecord = { pid: number; command: string; serves: boolean; address?: { path: string } };
const lockRecord = async (): Promise<LockRecord> => JSON.parse(await readFile(lockPathOf(pgliteDir), 'utf8')) as LockRecord;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Once npm start has stopped, nothing holds the data directory. Its lock and
 * socket are removed as it closes the database; but tsx SIGKILLs its child
 * when the child has not acknowledged a relayed Ctrl-C within 30 ms, which a
 * loaded machine can miss: a lock may then be left, naming a process that is
 * gone, for the next one to take over (the test of stale locks below).
 */
async function expectReleased(holderPid: number): Promise<void> {
  expect(isRunning(holderPid)).toBe(false);
  if (existsSync(lockPathOf(pgliteDir))) {
    expect((await lockRecord()).pid).toBe(holderPid);
  } else {
    expect(existsSync(socketPathOf(pgliteDir))).toBe(false);
  }
}

describe('one embedded database, shared by the commands around it', { timeout: TIMEOUT_MS }, () => {
  let key: string;

  it('npm start serves it: a key made with junction api-key works at once, and db:migrate loses nothing', async () => {
    const { junction, url } = await start();
    let holderPid = 0;
    try {
      const lock = await lockRecord();
      holderPid = lock.pid;
      expect(lock).toMatchObject({ command: 'npm start', serves: true, address: { path: socketPathOf(pgliteDir) } });
      expect(junction.output()).toMatch(/database\s+embedded, in /);
      expect(await productCount()).toBe(1000);

      key = await createKey();
      const answered = await post<{ topProducts: unknown[] }>(url, QUERY, {}, { 'x-api-key': key });
      expect(answered.status).toBe(200);
      expect(answered.errors).toBeUndefined();
      expect(answered.data!.topProducts).toHaveLength(2);
      // A key that was never made is still refused: the 200 is the new key's.
      expect((await post(url, QUERY, {}, { 'x-api-key': WELL_FORMED })).status).toBe(401);

      const migrated = await command(['npx', 'tsx', 'scripts/migrate.ts']);
      expect(migrated.code, migrated.output).toBe(0);
      expect(migrated.output).toMatch(/Migrated .*served by pid \d+ \(npm start, since /);
      expect(await productCount()).toBe(1000);
      expect((await post(url, QUERY, {}, { 'x-api-key': key })).data).toEqual(answered.data);
      // The holder was the one process on the files all along.
      expect((await lockRecord()).pid).toBe(lock.pid);
    } finally {
      await stop(junction);
    }
    await expectReleased(holderPid);
  });

  it('a second npm start on the same data directory refuses, naming the first; the key outlives the restart', async () => {
    const { junction, url } = await start();
    try {
      const { pid } = await lockRecord();
      const second = await command(['npm', 'start'], (await junctionPorts()).env);
      expect(second.code).not.toBe(0);
      expect(second.output).toContain(`Cannot open the database: The embedded database in ${pgliteDir} is in use by pid ${pid} (npm start, since `);
      expect(second.output).toContain('Stop that process first, or give this one a JUNCTION_DATA_DIR of its own.');
      expect(second.output).not.toMatch(/\n\s+at /);

      const answered = await post<{ topProducts: unknown[] }>(url, QUERY, {}, { 'x-api-key': key });
      expect(answered.status).toBe(200);
      expect(answered.data!.topProducts).toHaveLength(2);
      expect(await productCount()).toBe(1000);
    } finally {
      await stop(junction);
    }
  });

  it('a lock left by a process that died is taken over', async () => {
    // A pid that was alive a moment ago and is not any more; a socket file it left behind.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout);
    const stale = { pid: deadPid, command: 'npm start', since: new Date().toISOString(), serves: true, address: { path: socketPathOf(pgliteDir) } };
    await writeFile(lockPathOf(pgliteDir), JSON.stringify(stale));
    await writeFile(socketPathOf(pgliteDir), '');

    const migrated = await command(['npx', 'tsx', 'scripts/migrate.ts']);
    expect(migrated.code, migrated.output).toBe(0);
    expect(migrated.output).toMatch(/Migrated .*pglite \(migrations applied: accounts 0, products 0, inventory 0, reviews 0, gateway 0\)/);
    expect(existsSync(lockPathOf(pgliteDir))).toBe(false);

    await writeFile(lockPathOf(pgliteDir), JSON.stringify(stale));
    const { junction, url } = await start();
    try {
      expect((await lockRecord()).pid).not.toBe(deadPid);
      expect((await post(url, QUERY, {}, { 'x-api-key': key })).status).toBe(200);
      expect(await productCount()).toBe(1000);
    } finally {
      await stop(junction);
    }
  });

  it('npm run dev serves it too: its subgraphs, db:migrate and junction api-key all go through it', async () => {
    // A copy of supergraph.yaml on this test's ports, and an empty code folder: the repository's files are never touched.
    const yaml = join(dir, 'supergraph.yaml');
    const lines = ['federation_version: =2.14.4', 'subgraphs:'];
    for (const name of ['accounts', 'products', 'inventory', 'reviews']) {
      lines.push(`  ${name}:`, `    routing_url: ${env[`${name.toUpperCase()}_URL`]}`, '    schema:', `      file: ${resolve('schema', `${name}.graphql`)}`);
    }
    await writeFile(yaml, `${lines.join('\n')}\n`);
    const code = join(dir, 'code');
    await mkdir(code, { recursive: true });
    const dev = run('node', ['--import', 'tsx', 'scripts/dev.ts', '--config', yaml, '--output', join(dir, 'supergraph.graphql'), '--code', code], env);
    try {
      const [, url] = await dev.waitFor(/Junction \(dev\) is running: (\S+)/, 180_000);
      expect(await lockRecord()).toMatchObject({ command: expect.stringMatching(/^node scripts\/dev\.ts --config /), serves: true });
      expect(await productCount()).toBe(1000);

      const migrated = await command(['npx', 'tsx', 'scripts/migrate.ts']);
      expect(migrated.code, migrated.output).toBe(0);
      expect(migrated.output).toMatch(/served by pid \d+ \(node scripts\/dev\.ts/);
      expect(await productCount()).toBe(1000);

      const devKey = await createKey();
      for (const accepted of [key, devKey]) {
        const answered = await post<{ topProducts: unknown[] }>(url!, QUERY, {}, { 'x-api-key': accepted });
        expect(answered.status).toBe(200);
        expect(answered.data!.topProducts).toHaveLength(2);
      }
    } finally {
      dev.interrupt();
      await dev.exited;
      await dev.groupGone();
    }
    // Run without tsx's CLI in between, it closes the database on Ctrl-C: lock and socket are gone.
    expect(await dev.exited).toBe(0);
    expect(existsSync(lockPathOf(pgliteDir))).toBe(false);
    expect(existsSync(socketPathOf(pgliteDir))).toBe(false);
  });
});
