import { sql } from 'drizzle-orm';
import { check, integer, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** What the gateway itself stores lives in its own Postgres schema, apart from every subgraph's. */
export const junctionGateway = pgSchema('junction_gateway');

/**
 * Partners' API keys. The key itself is never stored: only its SHA-256 (to find
 * it) and its first characters (for humans to tell keys apart).
 */
export const apiKeys = junctionGateway.table(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** The client the key belongs to (what trusted documents and logs call it). */
    client: text('client').notNull(),
    scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
    keyPrefix: text('key_prefix').notNull(),
    keyHash: text('key_hash').notNull().unique('api_keys_key_hash_key'),
    // Both or neither: a key's own rate limit, overriding the default for API keys.
    rateLimitBurst: integer('rate_limit_burst'),
    rateLimitPerSecond: integer('rate_limit_per_second'),
    /** The key's own limit on an operation's estimated cost (demand control), overriding its contract's and MAX_COST. */
    maxCost: integer('max_cost'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** To the minute: refreshed at most once a minute, so busy keys do not write on every request. */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  () => [
    check(
      'api_keys_rate_limit_check',
      sql`(rate_limit_burst is null and rate_limit_per_second is null) or (rate_limit_burst > 0 and rate_limit_per_second > 0)`,
    ),
    check('api_keys_max_cost_check', sql`max_cost is null or max_cost > 0`),
  ],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;
