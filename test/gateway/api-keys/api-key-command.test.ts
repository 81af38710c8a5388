import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKeyVerifier, listApiKeys } from '#gateway/stages/identify/api-keys.js';
import { clearApiKeys, createApiKeyDatabase, invalid, refusal } from '../../support/api-key-database.js';
import type { TestDatabase } from '../../support/database.js';
import { run } from '../../support/processes.js';

/**
 * Partners' API keys made, listed and revoked through `junction api-key`, a
 * child process on the same database as the test: the Postgres server's, or
 * the embedded one this process holds and serves, as npm start does.
 */
let database: TestDatabase;

beforeAll(async () => {
  database = await createApiKeyDatabase([], { shared: true });
});
afterAll(() => database?.close());
beforeEach(() => clearApiKeys(database));

describe('junction api-key, as a process', () => {
  async function junction(...args: string[]) {
    const where = database.url ? { DATABASE_URL: database.url } : { DATABASE_URL: undefined, JUNCTION_DATA_DIR: database.dataDir };
    const process = run('node', ['bin/junction.js', 'api-key', ...args], where);
    const code = await process.exited;
    return { code, output: process.output() };
  }

  it('creates a key and prints it once, lists without it, and revokes it', async () => {
    const created = await junction('create', '--name', 'Partner A', '--client', 'acme', '--scopes', 'read write', '--burst', '10', '--per-second', '5', '--max-cost', '2500');
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
      maxCost: 2500,
    });

    const listed = await junction('list');
    expect(listed.code).toBe(0);
    expect(listed.output).toContain(id);
    expect(listed.output).toMatch(/MAX COST[\s\S]*10 burst, 5\/s\s+2500\s/);
    expect(listed.output).toContain(key!.slice(0, 11));
    expect(listed.output).not.toContain(key);
    expect(listed.output).not.toContain(createHash('sha256').update(key!).digest('hex'));

    const revoked = await junction('revoke', id!);
    expect(revoked.code, revoked.output).toBe(0);
    expect(revoked.output).toContain(`Revoked ${id}`);
    expect(await refusal(verify(key!))).toEqual(invalid);
  });

  it('explains what is wrong, with exit codes', async () => {
    const [missingClient, halfLimit, badCost, unknown, nonsense] = await Promise.all([
      junction('create', '--name', 'N'),
      junction('create', '--name', 'N', '--client', 'C', '--burst', '3'),
      junction('create', '--name', 'N', '--client', 'C', '--max-cost', 'lots'),
      junction('revoke', '00000000-0000-0000-0000-000000000000'),
      junction('rotate'),
    ]);
    expect(missingClient).toMatchObject({ code: 2, output: expect.stringContaining('--client is required.') });
    expect(halfLimit).toMatchObject({ code: 2, output: expect.stringContaining('Give --burst and --per-second together.') });
    expect(badCost).toMatchObject({ code: 2, output: expect.stringContaining('--max-cost must be a positive whole number.') });
    expect(unknown).toMatchObject({ code: 1, output: expect.stringContaining('No API key has the id or prefix') });
    expect(nonsense).toMatchObject({ code: 2, output: expect.stringContaining('Unknown api-key command "rotate"') });
    expect(await listApiKeys(database.db)).toEqual([]);
  });
});
