import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Database } from '#lib/db.js';
import { badUserInput, unauthenticated } from '#lib/errors.js';
import type { Identity } from '#lib/identity.js';
import { apiKeys, type ApiKeyRow } from '#gateway/stages/identify/db/schema.js';

/** The gateway's table lives in its own schema, migrated like a subgraph's (gateway/drizzle/). */
export { migrateGateway } from '#lib/migrate.js';

/**
 * A key is `jk_` and 32 random bytes in base64url (43 characters). The first
 * characters are kept as the key's prefix so people can tell keys apart in
 * `junction api-key list` without the key ever being shown again.
 */
const KEY_PATTERN = /^jk_[A-Za-z0-9_-]{43}$/;
const PREFIX_LENGTH = 'jk_'.length + 8;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The largest maximum cost a key can have: what its column (a Postgres integer) holds. */
const MAX_COST_LIMIT = 2_147_483_647;

/** How often a key's last_used_at is written at most: a busy key must not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * SHA-256 of the whole key, hex. A fast hash is enough here: the key is 256
 * random bits, so unlike a password there is nothing to guess, and slow hashes
 * (bcrypt, argon2) would only add their cost to every request. It also lets us
 * find a key by an indexed lookup on its hash, so no comparison in our code
 * depends on the secret: timing can reveal at most something about a hash, and
 * that does not help anyone make a key that hashes to it.
 */
/** Whether `key` has the shape of a key this gateway makes; others are refused without a query. */
export function isWellFormedApiKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export type RateLimit = { burst: number; perSecond: number };

export type NewApiKey = { name: string; client: string; scopes?: readonly string[]; rateLimit?: RateLimit; maxCost?: number };

/** What may be shown of a key: everything but the key and its hash. */
export type ApiKeyInfo = {
  id: string;
  name: string;
  client: string;
  scopes: string[];
  keyPrefix: string;
  rateLimit: RateLimit | null;
  /** The key's own limit on an operation's estimated cost; null: its contract's or MAX_COST. */
  maxCost: number | null;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
};

/** Makes a key. The key is returned here once and never again: only its hash is stored. */
export async function createApiKey(
  db: Database,
  { name, client, scopes = [], rateLimit, maxCost }: NewApiKey,
): Promise<{ id: string; key: string; keyPrefix: string }> {
  if (!name.trim()) throw badUserInput('An API key needs a name.', 'name');
  if (!client.trim()) throw badUserInput('An API key needs a client.', 'client');
  if (scopes.some((scope) => !/^\S+$/.test(scope))) throw badUserInput('Scopes must be non-empty and without spaces.', 'scopes');
  if (rateLimit && !(isPositiveInteger(rateLimit.burst) && isPositiveInteger(rateLimit.perSecond))) {
    throw badUserInput('A rate limit needs a positive whole burst and per-second rate.', 'rateLimit');
  }
  if (maxCost !== undefined && !(isPositiveInteger(maxCost) && maxCost <= MAX_COST_LIMIT)) {
    throw badUserInput(`A maximum cost must be a whole number from 1 to ${MAX_COST_LIMIT}.`, 'maxCost');
  }
  const key = `jk_${randomBytes(32).toString('base64url')}`;
  const keyPrefix = key.slice(0, PREFIX_LENGTH);
  const [row] = await db
    .insert(apiKeys)
    .values({
      name: name.trim(),
      client: client.trim(),
      scopes: [...new Set(scopes)],
      keyPrefix,
      keyHash: hashApiKey(key),
      rateLimitBurst: rateLimit?.burst ?? null,
      rateLimitPerSecond: rateLimit?.perSecond ?? null,
      maxCost: maxCost ?? null,
    })
    .returning({ id: apiKeys.id });
  return { id: row!.id, key, keyPrefix };
}

/**
 * Revokes a key named by its id, its prefix (as `list` shows it) or the key
 * itself (one found in a log, say). Returns the key as it now is, or null when
 * nothing matches. Revoking a revoked key keeps the first revocation's time.
 */
export async function revokeApiKey(db: Database, idOrPrefix: string): Promise<ApiKeyInfo | null> {
  const which = KEY_PATTERN.test(idOrPrefix)
    ? eq(apiKeys.keyHash, hashApiKey(idOrPrefix))
    : UUID_PATTERN.test(idOrPrefix)
      ? eq(apiKeys.id, idOrPrefix.toLowerCase())
      : idOrPrefix.startsWith('jk_')
        ? eq(apiKeys.keyPrefix, idOrPrefix)
        : undefined;
  if (!which) return null;
  const matches = await db.select().from(apiKeys).where(which).limit(2);
  if (matches.length === 0) return null;
  if (matches.length > 1) throw badUserInput(`More than one key starts with ${idOrPrefix}: revoke it by id.`);
  const [revoked] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(eq(apiKeys.id, matches[0]!.id))
    .returning();
  return revoked ? info(revoked) : null;
}

/** Every key, oldest first, revoked ones included; never a key or its hash. */
export async function listApiKeys(db: Database): Promise<ApiKeyInfo[]> {
  const rows = await db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
  return rows.map(info);
}

/** Verifies an API key: the caller's identity, or a GraphQLError (UNAUTHENTICATED). */
export type ApiKeyVerifier = (key: string) => Promise<Identity>;

/**
 * Verifies keys against the table, remembering answers for `cacheMs` (0: not
 * at all), good and bad alike, so a client retrying a bad key in a loop does
 * not become a query per request. Good and bad answers are kept apart, so a
 * flood of bad keys cannot push the good ones out. Concurrent checks of one key
 * share one query. The price: a revoked key keeps working for up to `cacheMs`.
 */
export function createApiKeyVerifier(db: Database, { cacheMs }: { cacheMs: number }): ApiKeyVerifier {
  const cached =
    cacheMs > 0
      ? {
          valid: new LRUCache<string, Identity>({ max: 10_000, ttl: cacheMs }),
          invalid: new LRUCache<string, true>({ max: 10_000, ttl: cacheMs }),
        }
      : undefined;
  const pending = new Map<string, Promise<Identity | null>>();

  async function lookup(hash: string): Promise<Identity | null> {
    const known = cached?.valid.get(hash);
    if (known) return known;
    if (cached?.invalid.has(hash)) return null;
    let answer = pending.get(hash);
    if (!answer) {
      answer = findIdentity(db, hash)
        .then((identity) => {
          if (identity) cached?.valid.set(hash, identity);
          else cached?.invalid.set(hash, true);
          return identity;
        })
        .finally(() => pending.delete(hash));
      pending.set(hash, answer);
    }
    return answer;
  }

  return async (key) => {
    // One message for unknown, revoked and malformed keys: which of them it was is nobody's business.
    // Malformed ones are refused without a query or a cache entry.
    const identity = KEY_PATTERN.test(key) ? await lookup(hashApiKey(key)) : null;
    if (!identity) throw unauthenticated('The API key is not valid.');
    return identity;
  };
}

async function findIdentity(db: Database, hash: string): Promise<Identity | null> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await db.update(apiKeys).set({ lastUsedAt: sql`now()` }).where(eq(apiKeys.id, row.id));
  }
  const { rateLimit } = info(row);
  return {
    kind: 'api-key',
    subject: row.id,
    scopes: row.scopes,
    client: row.client,
    ...(rateLimit ? { rateLimit } : {}),
    ...(row.maxCost !== null ? { maxCost: row.maxCost } : {}),
  };
}

function info(row: ApiKeyRow): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    client: row.client,
    scopes: row.scopes,
    keyPrefix: row.keyPrefix,
    rateLimit:
      row.rateLimitBurst !== null && row.rateLimitPerSecond !== null
        ? { burst: row.rateLimitBurst, perSecond: row.rateLimitPerSecond }
        : null,
    maxCost: row.maxCost,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
  };
}

function isPositiveInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}
