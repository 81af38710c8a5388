import { databaseOptions, openDatabase } from '#lib/db.js';
import { loadEnv } from '#lib/env.js';
import { migrateAll } from '#lib/migrate.js';

/** npm run db:migrate: applies every subgraph's pending migrations. */
const env = loadEnv();
const database = await openDatabase(databaseOptions(env));
try {
  const applied = await migrateAll(database.db);
  const summary = Object.entries(applied)
    .map(([subgraph, n]) => `${subgraph} ${n}`)
    .join(', ');
  console.log(`Migrated ${database.location} (migrations applied: ${summary}).`);
} finally {
  await database.close();
}
