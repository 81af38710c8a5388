import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey, listApiKeys, revokeApiKey } from '#gateway/stages/identify/api-keys.js';
import { clearApiKeys, createApiKeyDatabase, sleep } from '../../support/api-key-database.js';
import type { TestDatabase } from '../../support/database.js';

/**
 * Partners' API keys on the real database, revoked (by id, prefix or the key
 * itself) and listed without the keys or their hashes.
 */
let database: TestDatabase;

beforeAll(async () => {
  database = await createApiKeyDatabase();
});
afterAll(() => database?.close());
beforeEach(() => clearApiKeys(database));

describe('revoking', () => {
  it('finds a key by id, by the prefix the list shows, or by the key itself', async () => {
    const byId = await createApiKey(database.db, { name: 'a', client: 'c' });
    const byPrefix = await createApiKey(database.db, { name: 'b', client: 'c' });
    const byKey = await createApiKey(database.db, { name: 'c', client: 'c' });
    expect(await revokeApiKey(database.db, byId.id.toUpperCase())).toMatchObject({ id: byId.id });
    expect(await revokeApiKey(database.db, byPrefix.keyPrefix)).toMatchObject({ id: byPrefix.id });
    expect(await revokeApiKey(database.db, byKey.key)).toMatchObject({ id: byKey.id });
    expect((await listApiKeys(database.db)).map((key) => key.revokedAt)).toEqual([
      expect.any(Date),
      expect.any(Date),
      expect.any(Date),
    ]);
  });

  it('returns null for a key that does not exist', async () => {
    await createApiKey(database.db, { name: 'a', client: 'c' });
    for (const missing of ['00000000-0000-0000-0000-000000000000', 'jk_nothing1', 'nonsense', '']) {
      expect(await revokeApiKey(database.db, missing)).toBeNull();
    }
  });

  it('keeps the first revocation time', async () => {
    const { id } = await createApiKey(database.db, { name: 'a', client: 'c' });
    const first = await revokeApiKey(database.db, id);
    await sleep(20);
    const second = await revokeApiKey(database.db, id);
    expect(second!.revokedAt).toEqual(first!.revokedAt);
  });
});

describe('listing', () => {
  it('shows every key, oldest first, without keys or hashes', async () => {
    const first = await createApiKey(database.db, { name: 'Storefront', client: 'acme', scopes: ['read'] });
    const second = await createApiKey(database.db, {
      name: 'Partner',
      client: 'globex',
      rateLimit: { burst: 3, perSecond: 1 },
      maxCost: 2_500,
    });
    await revokeApiKey(database.db, first.id);
    const listed = await listApiKeys(database.db);
    expect(listed).toEqual([
      {
        id: first.id,
        name: 'Storefront',
        client: 'acme',
        scopes: ['read'],
        keyPrefix: first.keyPrefix,
        rateLimit: null,
        maxCost: null,
        createdAt: expect.any(Date),
        revokedAt: expect.any(Date),
        lastUsedAt: null,
      },
      {
        id: second.id,
        name: 'Partner',
        client: 'globex',
        scopes: [],
        keyPrefix: second.keyPrefix,
        rateLimit: { burst: 3, perSecond: 1 },
        maxCost: 2_500,
        createdAt: expect.any(Date),
        revokedAt: null,
        lastUsedAt: null,
      },
    ]);
    const text = JSON.stringify(listed);
    for (const { key } of [first, second]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(createHash('sha256').update(key).digest('hex'));
    }
  });
});
