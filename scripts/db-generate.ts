import { spawnSync } from 'node:child_process';
import { SUBGRAPHS } from '#lib/migrate.js';

/**
 * npm run db:generate [-- --name add_x]: after a change to a subgraph's
 * src/db/schema.ts, writes the SQL migration for it into subgraphs/<name>/drizzle/.
 * Subgraphs without changes are left alone.
 */
const extra = process.argv.slice(2);
for (const subgraph of SUBGRAPHS) {
  const result = spawnSync(
    'npx',
    ['drizzle-kit', 'generate', '--config', `subgraphs/${subgraph}/drizzle.config.ts`, ...extra],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}
