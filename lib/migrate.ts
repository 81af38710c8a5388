import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { bigint, pgSchema, serial, text } from 'drizzle-orm/pg-core';
import type { Database } from './db.js';
import { statementFailure } from './db-faults.js';

/** The subgraphs, in the order their migrations and seeds run. */
export const SUBGRAPHS = ['accounts', 'products', 'inventory', 'reviews'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

/**
 * Where drizzle-kit keeps a subgraph's bookkeeping. Not in the subgraph's own
 * schema: its first migration creates that schema. drizzle.config.ts of each
 * subgraph names the same table, so drizzle-kit and this runner agree.
 */
export const MIGRATIONS_SCHEMA = 'drizzle';

/** What owns migrations: each subgraph, and the gateway (its API keys, in gateway/drizzle/). */
export type MigrationSet = SubgraphName | 'gateway';

export const migrationsTable = (set: MigrationSet) => `${set}_migrations`;

export function migrationsFolder(set: MigrationSet): string {
  const folder = set === 'gateway' ? '../gateway/drizzle' : `../subgraphs/${set}/drizzle`;
  return fileURLToPath(new URL(folder, import.meta.url));
}

/**
 * Applies a subgraph's pending drizzle-kit migrations in one transaction.
 * An advisory lock makes replicas that boot together take turns, so each
 * migration runs exactly once. Returns how many were applied.
 */
export function migrateSubgraph(db: Database, subgraph: SubgraphName): Promise<number> {
  return applyMigrations(db, subgraph);
}

/** Applies the gateway's pending migrations (schema junction_gateway), the same way. */
export function migrateGateway(db: Database): Promise<number> {
  return applyMigrations(db, 'gateway');
}

/** A migration whose SQL failed: which file, and what Postgres said; nothing of the set was applied. */
export class MigrationError extends Error {
  constructor(readonly file: string, options: { cause: unknown }) {
    super(`${file} failed: ${statementFailure(options.cause)?.message ?? (options.cause as Error).message}`, options);
    this.name = 'MigrationError';
  }
}

/** A migration's file, from drizzle-kit's journal (`when` is the migration's folderMillis). */
function migrationFile(folder: string, folderMillis: number): string {
  const { entries } = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number; tag: string }[] };
  const tag = entries.find((entry) => entry.when === folderMillis)?.tag ?? String(folderMillis);
  const file = join(folder, `${tag}.sql`);
  const shown = relative(process.cwd(), file);
  return shown.startsWith('..') || isAbsolute(shown) ? file : shown;
}

async function applyMigrations(db: Database, set: MigrationSet): Promise<number> {
  const folder = migrationsFolder(set);
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  const journal = pgSchema(MIGRATIONS_SCHEMA).table(migrationsTable(set), {
    id: serial('id').primaryKey(),
    hash: text('hash').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }),
  });

  return db.transaction(async (tx) => {
    // Waiting for another replica's lock, or slow DDL, is not a runaway query.
    await tx.execute(sql`set local statement_timeout = 0`);
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`junction:migrate:${set}`}))`);
    await tx.execute(sql`create schema if not exists ${sql.identifier(MIGRATIONS_SCHEMA)}`);
    await tx.execute(sql`
      create table if not exists ${journal} (
        id serial primary key,
        hash text not null,
        created_at bigint
      )`);
    const applied = await tx.select({ createdAt: journal.createdAt }).from(journal);
    const last = Math.max(0, ...applied.map((row) => row.createdAt ?? 0));
    const pending = migrations.filter((migration) => migration.folderMillis > last);
    for (const migration of pending) {
      try {
        for (const statement of migration.sql) {
          if (statement.trim()) await tx.execute(sql.raw(statement));
        }
      } catch (error) {
        throw new MigrationError(migrationFile(folder, migration.folderMillis), { cause: error });
      }
      await tx.insert(journal).values({ hash: migration.hash, createdAt: migration.folderMillis });
    }
    return pending.length;
  });
}

/** Every subgraph's migrations, then the gateway's. */
export async function migrateAll(db: Database): Promise<Record<MigrationSet, number>> {
  const applied = {} as Record<MigrationSet, number>;
  for (const subgraph of SUBGRAPHS) applied[subgraph] = await migrateSubgraph(db, subgraph);
  applied.gateway = await migrateGateway(db);
  return applied;
}
