import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createApiKey,
  createApiKeyVerifier,
  listApiKeys,
  migrateGateway,
  revokeApiKey,
} from '../../gateway/src/api-keys.js';
import { apiKeys } from '../../gateway/src/db/schema.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { run } from '../support/processes.js';

/**
 * Partners' API keys on the real database: made, checked, listed and revoked,
 * through the functions the gateway uses and through `junction api-key`.
 */
let database: TestDatabase;
/** Every SQL statement sent, to see which checks reach the database. */
const statements: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ onQuery: (statement) => statements.push(statement) });
  expect(await migrateGateway(database.db)).toBe(1);
});
afterAll(() => database?.close());
beforeEach(async () => {
  await database.db.delete(apiKeys);
  statements.length = 0;
});

const invalid = { message: 'The API key is not valid.', code: 'UNAUTHENTICATED' };

async function refusal(verifying: Promise<unknown>): Promise<{ message: string; code: unknown }> {
  const error = await verifying.then(
    () => {
      throw new Error('expected the key to be refused');
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(GraphQLError);
  return { message: (error as GraphQLError).message, code: (error as GraphQLError).extensions.code };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

  it('refuses bad names, clients, scopes and rate limits', async () => {
    const cases = [
      [{ name: ' ', client: 'c' }, 'name'],
      [{ name: 'n', client: '' }, 'client'],
      [{ name: 'n', client: 'c', scopes: ['two words'] }, 'scopes'],
      [{ name: 'n', client: 'c', rateLimit: { burst: 0, perSecond: 1 } }, 'rateLimit'],
      [{ name: 'n', client: 'c', rateLimit: { burst: 10, perSecond: 1.5 } }, 'rateLimit'],
    ] as const;
    for (const [input, field] of cases) {
      const error = await createApiKey(database.db, input).catch((error: GraphQLError) => error);
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    }
    expect(await listApiKeys(database.db)).toEqual([]);
  });
});

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

// The embedded database belongs to one process: the CLI can share only a Postgres server's.
describe.runIf(process.env.DATABASE_URL)('junction api-key, as a process', () => {
  async function junction(...args: string[]) {
    const process = run('node', ['bin/junction.js', 'api-key', ...args], { DATABASE_URL: database.url! });
    const code = await process.exited;
    return { code, output: process.output() };
  }

  it('creates a key and prints it once, lists without it, and revokes it', async () => {
    const created = await junction('create', '--name', 'Partner A', '--client', 'acme', '--scopes', 'read write', '--burst', '10', '--per-second', '5');
    expect(created.code, created.output).toBe(0);
    const id = /^id\s+(\S+)$/m.exec(created.output)?.[1];
    const key = /^key\s+(jk_\S+)$/m.exec(created.output)?.[1];
    expect(id).toBeDefined();
    expect(key).toBeDefined();

    const verify = createApiKeyVerifier(database.db, { cacheMs: 0 });
    expect(await verify(key!)).toEqual({
      kind: 'api-key',
      subject: id,
      client: 'acme',
      scopes: ['read', 'write'],
      rateLimit: { burst: 10, perSecond: 5 },
    });

    const listed = await junction('list');
    expect(listed.code).toBe(0);
    expect(listed.output).toContain(id);
    expect(listed.output).toContain(key!.slice(0, 11));
    expect(listed.output).not.toContain(key);
    expect(listed.output).not.toContain(createHash('sha256').update(key!).digest('hex'));

    const revoked = await junction('revoke', id!);
    expect(revoked.code, revoked.output).toBe(0);
    expect(revoked.output).toContain(`Revoked ${id}`);
    expect(await refusal(verify(key!))).toEqual(invalid);
  });

  it('explains what is wrong, with exit codes', async () => {
    const [missingClient, halfLimit, unknown, nonsense] = await Promise.all([
      junction('create', '--name', 'N'),
      junction('create', '--name', 'N', '--client', 'C', '--burst', '3'),
      junction('revoke', '00000000-0000-0000-0000-000000000000'),
      junction('rotate'),
    ]);
    expect(missingClient).toMatchObject({ code: 2, output: expect.stringContaining('--client is required.') });
    expect(halfLimit).toMatchObject({ code: 2, output: expect.stringContaining('Give --burst and --per-second together.') });
    expect(unknown).toMatchObject({ code: 1, output: expect.stringContaining('No API key has the id or prefix') });
    expect(nonsense).toMatchObject({ code: 2, output: expect.stringContaining('Unknown api-key command "rotate"') });
    expect(await listApiKeys(database.db)).toEqual([]);
  });
});
