import { sql } from 'drizzle-orm';
import { check, integer, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';

/** Everything the inventory subgraph stores lives in its own Postgres schema. */
export const inventory = pgSchema('inventory');

/** Stock per product. A product with no row has never been stocked: zero units. */
export const stock = inventory.table(
  'stock',
  {
    upc: text('upc').primaryKey(),
    quantity: integer('quantity').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('stock_quantity_check', sql`${t.quantity} >= 0`)],
);

export type StockRow = typeof stock.$inferSelect;
