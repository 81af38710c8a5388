import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey, createApiKeyVerifier, listApiKeys, revokeApiKey } from '#gateway/stages/identify/api-keys.js';
import { clearApiKeys, createApiKeyDatabase, invalid, refusal, sleep } from '../../support/api-key-database.js';
import type { TestDatabase } from '../../support/database.js';

/**
 * Partners' API keys on the real database, checked as the gateway checks them:
 * which keys are refused, which checks reach the database, and how long an
 * answer is remembered.
 */
let database: TestDatabase;
/** Every SQL statement sent, to see which checks reach the database. */
const statements: string[] = [];

beforeAll(async () => {
  database = await createApiKeyDatabase(statements);
});
afterAll(() => database?.close());
beforeEach(() => clearApiKeys(database, statements));

describe('verifying', () => {
  it('refuses unknown, malformed and revoked keys with one message', async () => {
    const verify = createApiKeyVerifier(database.db, { cacheMs: 0 });
    const { id, key } = await createApiKey(database.db, { name: 'n', client: 'c' });
    const unknown = `jk_${'A'.repeat(43)}`;
    expect(await refusal(verify(unknown))).toEqual(invalid);
    for (const malformed of ['', 'jk_short', `${key}x`, key.toUpperCase(), `Bearer ${key}`]) {
      expect(await refusal(verify(malformed))).toEqual(invalid);
    }
    await verify(key);
    expect(await revokeApiKey(database.db, id)).toMatchObject({ id, revokedAt: expect.any(Date) });
    expect(await refusal(verify(key))).toEqual(invalid);
  });

  it('does not query the database for malformed keys', async () => {
    const verify = createApiKeyVerifier(database.db, { cacheMs: 0 });
    await refusal(verify('not-a-key'));
    expect(statements).toEqual([]);
  });

  it('remembers good and bad answers for cacheMs, so repeats do not reach the database', async () => {
    const verify = createApiKeyVerifier(database.db, { cacheMs: 60_000 });
    const { key } = await createApiKey(database.db, { name: 'n', client: 'c' });
    const unknown = `jk_${'B'.repeat(43)}`;
    statements.length = 0;
    await verify(key);
    const afterFirst = statements.length;
    expect(afterFirst).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) await verify(key);
    await refusal(verify(unknown));
    const afterUnknown = statements.length;
    expect(afterUnknown).toBe(afterFirst + 1);
    for (let i = 0; i < 5; i++) await refusal(verify(unknown));
    expect(statements.length).toBe(afterUnknown);
  });

  it('shares one query among concurrent checks of one key', async () => {
    const verify = createApiKeyVerifier(database.db, { cacheMs: 60_000 });
    const unknown = `jk_${'C'.repeat(43)}`;
    const results = await Promise.all(Array.from({ length: 20 }, () => refusal(verify(unknown))));
    expect(results).toEqual(Array.from({ length: 20 }, () => invalid));
    expect(statements).toHaveLength(1);
  });

  it('without a cache sees a revocation at once; with one, once cacheMs has passed', async () => {
    const { id, key } = await createApiKey(database.db, { name: 'n', client: 'c' });
    const uncached = createApiKeyVerifier(database.db, { cacheMs: 0 });
    const cached = createApiKeyVerifier(database.db, { cacheMs: 300 });
    await uncached(key);
    await cached(key);
    await revokeApiKey(database.db, id);
    expect(await refusal(uncached(key))).toEqual(invalid);
    expect(await cached(key)).toMatchObject({ subject: id });
    await sleep(400);
    expect(await refusal(cached(key))).toEqual(invalid);
  });

  it('records when a key was last used', async () => {
    const { id, key } = await createApiKey(database.db, { name: 'n', client: 'c' });
    expect((await listApiKeys(database.db))[0]!.lastUsedAt).toBeNull();
    await createApiKeyVerifier(database.db, { cacheMs: 0 })(key);
    const [listed] = await listApiKeys(database.db);
    expect(listed).toMatchObject({ id, lastUsedAt: expect.any(Date) });
  });
});
