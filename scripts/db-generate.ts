import { spawnSync } from 'node:child_process';
import { SUBGRAPHS } from '#lib/migrate.js';

/**
 * npm run db:generate [-- --name add_x]: after a change to a subgraph's
 * src/db/schema.ts (or the gateway's gateway/src/db/schema.ts), writes the SQL
 * migration for it into subgraphs/<name>/drizzle/ (or gateway/drizzle/).
 * Those without changes are left alone.
 */
const extra = process.argv.slice(2);
const configs = [...SUBGRAPHS.map((subgraph) => `subgraphs/${subgraph}/drizzle.config.ts`), 'gateway/drizzle.config.ts'];
for (const config of configs) {
  const result = spawnSync('npx', ['drizzle-kit', 'generate', '--config', config, ...extra], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
