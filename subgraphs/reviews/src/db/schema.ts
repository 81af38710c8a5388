import { sql } from 'drizzle-orm';
import { check, index, integer, pgSchema, smallint, text, timestamp } from 'drizzle-orm/pg-core';

/** Everything the reviews subgraph stores lives in its own Postgres schema. */
export const reviewsSchema = pgSchema('reviews');

export const reviews = reviewsSchema.table(
  'reviews',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    // Keys of entities other subgraphs own: no foreign keys across subgraphs.
    productUpc: text('product_upc').notNull(),
    authorId: integer('author_id').notNull(),
    rating: smallint('rating').notNull(),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('reviews_author_id_idx').on(t.authorId, t.createdAt.desc(), t.id.desc()),
    index('reviews_product_upc_idx').on(t.productUpc, t.createdAt.desc(), t.id.desc()),
    check('reviews_rating_check', sql`${t.rating} between 1 and 5`),
  ],
);

/**
 * The authors of reviews, with the username they had when they first wrote one.
 * Usernames never change, so this copy lets `Review.author` provide `username`
 * without a trip to the accounts subgraph.
 */
export const authors = reviewsSchema.table('authors', {
  id: integer('id').primaryKey(),
  username: text('username').notNull(),
});

export type ReviewRow = typeof reviews.$inferSelect;
export type AuthorRow = typeof authors.$inferSelect;
