import postgres from 'postgres';
import { TEST_DATABASE_PREFIX } from './database.js';

/**
 * Before a run on real Postgres: drop test databases that crashed runs left
 * behind (their process is gone), so they do not pile up.
 */
export default async function setup(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`${TEST_DATABASE_PREFIX}%`}`;
    for (const { datname } of rows) {
      const pid = Number(datname.slice(TEST_DATABASE_PREFIX.length).split('_')[0]);
      if (isAlive(pid)) continue;
      await admin`drop database if exists ${admin(datname)} with (force)`;
    }
  } finally {
    await admin.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
