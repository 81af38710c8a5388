import { randomBytes } from 'node:crypto';
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
};

export async function createTestDatabase(options: Pick<DatabaseOptions, 'onQuery'> = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return openDatabase(options);

  const name = `${TEST_DATABASE_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ ...options, url: url.toString(), poolMax: 5 });
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
