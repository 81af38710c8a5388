import { parseArgs } from 'node:util';
import { databaseOptions, openDatabase } from '#lib/db.js';
import { loadEnv } from '#lib/env.js';
import { migrateAll } from '#lib/migrate.js';
import { fail } from './command-line.js';
import { clear, loadWorld, seedIfEmpty } from './seed/load.js';

/**
 * npm run db:seed [-- --reset]: loads the deterministic seed data into an
 * empty database; --reset first deletes every subgraph's data.
 */
const { values } = parseArgs({ options: { reset: { type: 'boolean', default: false } } });
const env = loadEnv();
const database = await openDatabase(databaseOptions(env)).catch((error: Error) => fail(`Cannot open the database: ${error.message}`));
try {
  await migrateAll(database.db);
  let counts;
  if (values.reset) {
    await clear(database.db);
    counts = await loadWorld(database.db);
  } else {
    counts = await seedIfEmpty(database.db);
  }
  if (counts) {
    console.log(
      `Seeded ${database.location}: ${counts.users} users, ${counts.products} products, ${counts.reviews} reviews.`,
    );
  } else {
    console.log(`${database.location} already has data; left as it is. Run "npm run db:seed -- --reset" to replace it.`);
  }
} finally {
  await database.close();
}
