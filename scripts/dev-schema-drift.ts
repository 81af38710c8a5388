import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { migrationsFolder, type MigrationSet } from '#lib/migrate.js';

/**
 * For scripts/dev.ts, in a fresh process so each run reads db/schema.ts as it
 * is now: for each migration set named in argv, the SQL `npm run db:generate`
 * would write for it (drizzle-kit's own diff of the tables against the last
 * snapshot in drizzle/meta/), printed as one JSON object; an empty list: no
 * migration is missing.
 */
const configFile = (set: MigrationSet) => (set === 'gateway' ? 'gateway/drizzle.config.ts' : `subgraphs/${set}/drizzle.config.ts`);
const load = async (file: string) => (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;

type Journal = { entries: { idx: number }[] };
type Snapshot = Parameters<typeof generateMigration>[0];

const drift: Record<string, string[]> = {};
for (const set of process.argv.slice(2) as MigrationSet[]) {
  const folder = migrationsFolder(set);
  const journal = JSON.parse(await readFile(join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;
  const last = journal.entries.at(-1);
  if (!last) continue;
  const snapshot = JSON.parse(await readFile(join(folder, 'meta', `${String(last.idx).padStart(4, '0')}_snapshot.json`), 'utf8')) as Snapshot;
  // What drizzle-kit generate reads: the config's schema file and schemaFilter.
  const { schema, schemaFilter } = (await load(configFile(set))).default as { schema: string; schemaFilter?: string[] };
  const current = generateDrizzleJson(await load(schema), snapshot.id, schemaFilter);
  drift[set] = await generateMigration(snapshot, current);
}
process.stdout.write(`${JSON.stringify(drift)}\n`);
