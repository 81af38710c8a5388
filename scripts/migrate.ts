import { databaseOptions, openDatabase } from '#lib/db.js';
import { loadEnv } from '#lib/env.js';
import { migrateAll } from '#lib/migrate.js';
import { fail } from './command-line.js';

/**
 * npm run db:migrate: applies every subgraph's pending migrations; to the
 * embedded database through npm start or npm run dev when one of them runs.
 */
const env = loadEnv();
const database = await openDatabase(databaseOptions(env)).catch((error: Error) => fail(`Cannot open the database: ${error.message}`));
try {
  const applied = await migrateAll(database.db);
  const summary = Object.entries(applied)
    .map(([subgraph, n]) => `${subgraph} ${n}`)
    .join(', ');
  console.log(`Migrated ${database.location} (migrations applied: ${summary}).`);
} finally {
  await database.close();
}
