import { integer, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';

/** Everything the accounts subgraph stores lives in its own Postgres schema. */
export const accounts = pgSchema('accounts');

export const users = accounts.table('users', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  name: text('name').notNull(),
  username: text('username').notNull().unique('users_username_key'),
  // Stored lowercased, so the unique constraint is case-insensitive.
  email: text('email').notNull().unique('users_email_key'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export type UserRow = typeof users.$inferSelect;
