import { count, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '#lib/db.js';
import { users } from '../../subgraphs/accounts/src/db/schema.js';
import { stock } from '../../subgraphs/inventory/src/db/schema.js';
import { products } from '../../subgraphs/products/src/db/schema.js';
import { authors, reviews } from '../../subgraphs/reviews/src/db/schema.js';
import { generateWorld, type World } from './world.js';

/**
 * Loads the seed world into every subgraph's own tables. The seed is a
 * development and test fixture, the one place that writes to all subgraphs'
 * schemas; the running subgraphs never do.
 */
export type SeedCounts = { users: number; products: number; stock: number; reviews: number };

const BATCH = 1000;

async function insertInBatches<T extends PgTable>(db: Database, table: T, rows: readonly T['$inferInsert'][]) {
  for (let start = 0; start < rows.length; start += BATCH) {
    await db.insert(table).values(rows.slice(start, start + BATCH));
  }
}

/** True when no subgraph holds any data yet. */
export async function isEmpty(db: Database): Promise<boolean> {
  for (const table of [users, products, stock, reviews]) {
    const [row] = await db.select({ n: count() }).from(table);
    if ((row?.n ?? 0) > 0) return false;
  }
  return true;
}

/** Empties every subgraph's tables and resets their id sequences. */
export async function clear(db: Database): Promise<void> {
  await db.execute(
    sql`truncate ${users}, ${products}, ${stock}, ${reviews}, ${authors} restart identity`,
  );
}

/**
 * Writes the world in one transaction, so a failed seed leaves nothing
 * behind. Tables must be empty (see `clear`).
 */
export async function loadWorld(db: Database, world: World = generateWorld()): Promise<SeedCounts> {
  const reviewAuthors = new Set(world.reviews.map((review) => review.authorId));
  await db.transaction(async (tx) => {
    // A large seed may take longer than the statement timeout meant for requests.
    await tx.execute(sql`set local statement_timeout = 0`);
    await insertInBatches(tx, users, world.users);
    await insertInBatches(tx, products, world.products);
    await insertInBatches(tx, stock, world.stock);
    await insertInBatches(
      tx,
      authors,
      world.users.filter((user) => reviewAuthors.has(user.id)).map(({ id, username }) => ({ id, username })),
    );
    await insertInBatches(tx, reviews, world.reviews);
    // Rows came with their ids: move the sequences past them for rows created later.
    for (const table of ['accounts.users', 'reviews.reviews']) {
      await tx.execute(
        sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.raw(table)}), 0) + 1, false)`,
      );
    }
  });
  return {
    users: world.users.length,
    products: world.products.length,
    stock: world.stock.length,
    reviews: world.reviews.length,
  };
}

/** Seeds an empty database; leaves one with data alone. Returns what was written, or null. */
export async function seedIfEmpty(db: Database, world?: World): Promise<SeedCounts | null> {
  return (await isEmpty(db)) ? loadWorld(db, world) : null;
}
