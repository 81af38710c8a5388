import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey, createApiKeyVerifier, listApiKeys, migrateGateway } from '#gateway/stages/identify/api-keys.js';
import { clearApiKeys, createApiKeyDatabase } from '../../support/api-key-database.js';
import type { TestDatabase } from '../../support/database.js';

/**
 * Partners' API keys on the real database: the gateway's migrations that make
 * their table, and a key made, stored as its hash and verified as its client.
 */
let database: TestDatabase;

beforeAll(async () => {
  database = await createApiKeyDatabase();
});
afterAll(() => database?.close());
beforeEach(() => clearApiKeys(database));

describe('the gateway migrations', () => {
  it('apply once', async () => {
    expect(await migrateGateway(database.db)).toBe(0);
  });
});

describe('an API key', () => {
  it('is made once, and verifies as its client with its scopes and rate limit', async () => {
    const { id, key, keyPrefix } = await createApiKey(database.db, {
      name: 'Storefront',
      client: 'acme-shop',
      scopes: ['read:products', 'write:reviews'],
      rateLimit: { burst: 20, perSecond: 5 },
    });
    expect(key).toMatch(/^jk_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(keyPrefix)).toBe(true);
    const verify = createApiKeyVerifier(database.db, { cacheMs: 0 });
    expect(await verify(key)).toEqual({
      kind: 'api-key',
      subject: id,
      client: 'acme-shop',
      scopes: ['read:products', 'write:reviews'],
      rateLimit: { burst: 20, perSecond: 5 },
    });
  });

  it('with a maximum cost of its own carries it in its identity (demand control)', async () => {
    const { id, key } = await createApiKey(database.db, { name: 'Analytics', client: 'acme-shop', maxCost: 5_000 });
    const verify = createApiKeyVerifier(database.db, { cacheMs: 0 });
    expect(await verify(key)).toEqual({ kind: 'api-key', subject: id, client: 'acme-shop', scopes: [], maxCost: 5_000 });
  });

  it('without a rate limit of its own has none in its identity', async () => {
    const { id, key } = await createApiKey(database.db, { name: 'Batch job', client: 'reports' });
    const verify = createApiKeyVerifier(database.db, { cacheMs: 0 });
    expect(await verify(key)).toEqual({ kind: 'api-key', subject: id, client: 'reports', scopes: [] });
  });

  it('is stored as its hash: the key itself is nowhere in the table', async () => {
    const { id, key, keyPrefix } = await createApiKey(database.db, { name: 'Storefront', client: 'acme-shop' });
    const rows = await database.db.execute<Record<string, unknown>>(sql`select * from junction_gateway.api_keys`);
    const [row] = Array.isArray(rows) ? rows : (rows as { rows: Record<string, unknown>[] }).rows;
    expect(row).toMatchObject({
      id,
      key_prefix: keyPrefix,
      key_hash: createHash('sha256').update(key).digest('hex'),
    });
    expect(JSON.stringify(row)).not.toContain(key);
    expect(keyPrefix.length).toBeLessThan(key.length / 3);
  });

  it('refuses bad names, clients, scopes, rate limits and maximum costs', async () => {
    const cases = [
      [{ name: ' ', client: 'c' }, 'name'],
      [{ name: 'n', client: '' }, 'client'],
      [{ name: 'n', client: 'c', scopes: ['two words'] }, 'scopes'],
      [{ name: 'n', client: 'c', rateLimit: { burst: 0, perSecond: 1 } }, 'rateLimit'],
      [{ name: 'n', client: 'c', rateLimit: { burst: 10, perSecond: 1.5 } }, 'rateLimit'],
      [{ name: 'n', client: 'c', maxCost: 0 }, 'maxCost'],
      [{ name: 'n', client: 'c', maxCost: 2.5 }, 'maxCost'],
      [{ name: 'n', client: 'c', maxCost: 2 ** 31 }, 'maxCost'],
    ] as const;
    for (const [input, field] of cases) {
      const error = await createApiKey(database.db, input).catch((error: GraphQLError) => error);
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    }
    expect(await listApiKeys(database.db)).toEqual([]);
  });
});
