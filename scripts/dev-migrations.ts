import { execFile, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { migrationsFolder, SUBGRAPHS, type MigrationSet } from '#lib/migrate.js';

/*
 * npm run dev's part in migrations: it watches the migrations folders and has
 * new migrations applied (by lib/migrate.ts, as npm run db:migrate does) before
 * the subgraphs restart; and it holds the restart while a db/schema.ts has
 * tables no migration gives, telling the developer to run db:generate.
 */

export const MIGRATION_SETS: readonly MigrationSet[] = [...SUBGRAPHS, 'gateway'];

/** A file of a migrations folder that means a new (or edited) migration: its SQL or drizzle-kit's journal. */
export function isMigrationFile(file: string): boolean {
  return MIGRATION_SETS.some((set) => file.startsWith(migrationsFolder(set) + sep)) && (file.endsWith('.sql') || basename(file) === '_journal.json');
}

/** Watches every migrations folder (subgraphs/<name>/drizzle/, gateway/drizzle/) for new migrations. */
export function watchMigrations(saved: (file: string) => void): FSWatcher[] {
  return MIGRATION_SETS.map((set) => {
    const folder = migrationsFolder(set);
    return watch(folder, { recursive: true }, (_event, name) => {
      const file = name ? resolve(folder, name.toString()) : undefined;
      if (file && isMigrationFile(file)) saved(file);
    });
  });
}

/** The migration set whose drizzle schema a saved file is (subgraphs/<name>/src/db/schema.ts), if it is one. */
export function schemaFileSet(file: string): MigrationSet | undefined {
  if (basename(file) !== 'schema.ts' || basename(dirname(file)) !== 'db') return undefined;
  return SUBGRAPHS.find((subgraph) => file === resolve('subgraphs', subgraph, 'src', 'db', 'schema.ts'));
}

/**
 * The sets among `sets` whose db/schema.ts differs from their last migration,
 * with the SQL `npm run db:generate` would write (drizzle-kit's own diff, in
 * scripts/dev-schema-drift.ts: a fresh process reads the file as saved).
 * A schema that does not load is reported and counts as drifting.
 */
export function schemaDrift(sets: Iterable<MigrationSet>): Promise<Map<MigrationSet, string[]>> {
  const names = [...new Set(sets)];
  if (names.length === 0) return Promise.resolve(new Map());
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', resolve('scripts/dev-schema-drift.ts'), ...names], (error, stdout, stderr) => {
      if (error) {
        console.error(`Cannot compare ${names.map(schemaPath).join(', ')} with the migrations:\n${stderr.trim() || error.message}`);
        done(new Map(names.map((set) => [set, []])));
        return;
      }
      let drift: Record<MigrationSet, string[]>;
      try {
        drift = JSON.parse(stdout) as Record<MigrationSet, string[]>;
      } catch {
        console.error(`Cannot compare ${names.map(schemaPath).join(', ')} with the migrations: ${stdout.trim()}`);
        done(new Map(names.map((set) => [set, []])));
        return;
      }
      done(new Map(Object.entries(drift).filter(([, statements]) => statements.length > 0) as [MigrationSet, string[]][]));
    });
  });
}

const schemaPath = (set: MigrationSet) => (set === 'gateway' ? 'gateway/drizzle.config.ts\'s schema' : `subgraphs/${set}/src/db/schema.ts`);

/** What the developer is told while a schema drifts: what differs, the command that writes the migration, and what the loop does meanwhile. */
export function driftHint(drift: Map<MigrationSet, string[]>): string {
  const lines = [...drift].map(([set, statements]) =>
    statements.length > 0
      ? `${schemaPath(set)} differs from its migrations: ${statements.map((statement) => statement.split('\n')[0]!.trim()).join(' ')}`
      : `${schemaPath(set)} could not be compared with its migrations.`,
  );
  return [
    ...lines,
    '  Write the migration: npm run db:generate -- --name <what_changed>  (e.g. add_brand); the dev loop applies it, then restarts the subgraphs.',
    '  Until then the subgraphs keep running as they were: their new code would query columns the database does not have.',
  ].join('\n');
}

export type Migrated = { ok: true; applied: Record<MigrationSet, number> } | { ok: false; message: string };

/**
 * Has the subgraphs' process (which holds the database) apply every pending
 * migration with lib/migrate.ts's migrateAll, all of a set or none of it.
 */
export function migrateIn(subgraphs: ChildProcess): Promise<Migrated> {
  if (!subgraphs.connected) return Promise.resolve({ ok: false, message: 'the subgraphs are not running' });
  return new Promise((done) => {
    const answered = (message: { type?: string; applied?: Record<MigrationSet, number>; message?: string }) => {
      if (message?.type === 'junction:migrated') done({ ok: true, applied: message.applied! });
      else if (message?.type === 'junction:migrate-failed') done({ ok: false, message: message.message! });
      else return;
      subgraphs.off('message', answered);
      subgraphs.off('exit', exited);
    };
    const exited = () => {
      subgraphs.off('message', answered);
      done({ ok: false, message: 'the subgraphs exited' });
    };
    subgraphs.on('message', answered);
    subgraphs.once('exit', exited);
    subgraphs.send({ type: 'junction:migrate' });
  });
}

/** "1 migration of products", for the terminal; undefined when none was applied. */
export function appliedSummary(applied: Record<MigrationSet, number>): string | undefined {
  const sets = Object.entries(applied).filter(([, count]) => count > 0);
  if (sets.length === 0) return undefined;
  return sets.map(([set, count]) => `${count} migration${count === 1 ? '' : 's'} of ${set}`).join(', ');
}

/**
 * What stands between a burst of saves and the subgraphs' restart: the
 * schemas that differ from their migrations (those saved now, and those that
 * did before), then the new migrations, applied. False, with the reason
 * printed, when the subgraphs must serve on as they are.
 */
export function createMigrationGate() {
  let drifting = new Set<MigrationSet>();

  async function drifts(sets: Iterable<MigrationSet>): Promise<boolean> {
    const drift = await schemaDrift(sets);
    drifting = new Set(drift.keys());
    if (drift.size > 0) console.error(driftHint(drift));
    return drift.size > 0;
  }

  return {
    /** Every schema compared once dev is up: one changed while it was stopped is told, and holds restarts too. */
    checkAll: () => drifts(MIGRATION_SETS).then(() => undefined),

    async beforeRestart(changed: Iterable<string>, subgraphs: ChildProcess): Promise<boolean> {
      const files = [...changed];
      const sets = new Set([...drifting, ...files.flatMap((file) => schemaFileSet(file) ?? [])]);
      // Code whose tables no migration gives would fail every query on them.
      if (sets.size > 0 && (await drifts(sets))) return false;
      // The running subgraphs' process holds the database; a stopped one applies them as it starts.
      if (!files.some(isMigrationFile) || !subgraphs.connected) return true;
      const migrated = await migrateIn(subgraphs);
      if (!migrated.ok) {
        console.error(
          `A migration failed; nothing of it was applied and the subgraphs keep running as they were:\n  ${migrated.message}\n` +
            "Fix its SQL and save; or remove it (npx drizzle-kit drop --config <the subgraph's drizzle.config.ts>), change db/schema.ts and run npm run db:generate again.",
        );
        return false;
      }
      const summary = appliedSummary(migrated.applied);
      if (summary) console.log(`Applied ${summary}.`);
      return true;
    },
  };
}

/** A path as the developer typed it: relative to the working directory. */
export const shown = (file: string) => relative(process.cwd(), file) || file;
