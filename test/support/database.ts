import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle, type DatabaseOptions } from '#lib/db.js';

/**
 * Tests run on the embedded database by default, and on the real Postgres
 * server when DATABASE_URL is set: then each test file gets a database of its
 * own, created fresh and dropped at the end, so files can run in parallel.
 */
export const TEST_DATABASE_PREFIX = 'junction_test_';

export type TestDatabase = DatabaseHandle & {
  /** A URL for this database (real Postgres only), for child processes. */
  url?: string;
  /** The JUNCTION_DATA_DIR of this database (embedded, with `shared`), for child processes. */
  dataDir?: string;
};

/**
 * `shared`: child processes use it too. On the embedded database, it is then
 * kept in a temp folder of its own, which this process holds and serves to
 * them as npm start does (lib/db-embedded.ts), instead of in memory.
 */
export async function createTestDatabase(options: Pick<DatabaseOptions, 'onQuery'> & { shared?: boolean } = {}): Promise<TestDatabase> {
  const { shared, ...rest } = options;
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl && !shared) return openDatabase(rest);
  if (!serverUrl) {
    const dataDir = await mkdtemp(join(tmpdir(), 'junction-test-'));
    const handle = await openDatabase({ ...rest, dataDir: join(dataDir, 'pglite'), embedded: 'hold' });
    return {
      ...handle,
      dataDir,
      async close() {
        await handle.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }

  const name = `${TEST_DATABASE_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ ...rest, url: url.toString(), poolMax: 5 });
  return {
    ...handle,
    url: url.toString(),
    async close() {
      await handle.close();
      await admin`drop database if exists ${admin(name)} with (force)`;
      await admin.end();
    },
  };
}
