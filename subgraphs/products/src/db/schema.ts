import { sql } from 'drizzle-orm';
import { check, index, integer, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';

/** Everything the products subgraph stores lives in its own Postgres schema. */
export const productsSchema = pgSchema('products');

export const products = productsSchema.table(
  'products',
  {
    upc: text('upc').primaryKey(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    price: integer('price').notNull(),
    weight: integer('weight').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // topProducts reads the newest products first.
    index('products_created_at_idx').on(t.createdAt.desc(), t.upc),
    check('products_price_check', sql`${t.price} >= 0`),
    check('products_weight_check', sql`${t.weight} >= 0`),
  ],
);

export type ProductRow = typeof products.$inferSelect;
