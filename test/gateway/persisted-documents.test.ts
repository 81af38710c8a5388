import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createPersistedDocuments,
  loadTrustedDocuments,
  parseClientModes,
  type ClientRef,
  type DocumentRequest,
  type PersistedDocuments,
  type PersistedDocumentsOptions,
  type ResolvedDocument,
  type TrustedDocuments,
} from '../../gateway/src/persisted-documents.js';
import { connectRedis } from '../../gateway/src/redis.js';
import { closedRedisUrl, deleteKeys, describeRedis, TEST_REDIS_URL, uniquePrefix } from '../support/redis.js';

/** Where a request's document comes from: freeform text, APQ, or a client's trusted documents. */
const logger = pino({ level: 'silent' });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const ME = 'query Me { me { id name } }';
const PRODUCTS = 'query Products { topProducts { upc name } }';
const ADHOC = '{ __typename }';

/** `web`'s manifest: one id that is the body's hash, one that is a plain name. */
const webManifest = {
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations: [
    { id: sha256(ME), name: 'Me', type: 'query', body: ME },
    { id: 'products-v1', name: 'Products', type: 'query', body: PRODUCTS },
  ],
};

const withId = (id: string, query?: string): DocumentRequest => ({
  ...(query === undefined ? {} : { query }),
  extensions: { persistedQuery: { version: 1, sha256Hash: id } },
});
const apq = (query: string) => withId(sha256(query), query);
const byHeader = (name?: string): ClientRef => ({ name, trusted: false });
const byCredential = (name: string): ClientRef => ({ name, trusted: true });

function expectRuns(resolved: ResolvedDocument, query: string, trusted: boolean) {
  expect(resolved).toEqual({ ok: true, query, trusted });
}
function expectRefused(resolved: ResolvedDocument, status: number, code: string, message?: string) {
  expect(resolved.ok).toBe(false);
  if (resolved.ok) return;
  expect({ status: resolved.status, code: resolved.error.extensions.code }).toEqual({ status, code });
  if (message !== undefined) expect(resolved.error.message).toBe(message);
}

let dir: string;
let trusted: TrustedDocuments;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'junction-trusted-'));
  await writeFile(join(dir, 'web.json'), JSON.stringify(webManifest));
  await writeFile(join(dir, 'README.md'), 'Manifests are <client>.json; this file is not one.');
  trusted = await loadTrustedDocuments(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function documents(options: Partial<PersistedDocumentsOptions> = {}) {
  return createPersistedDocuments({
    apq: true,
    apqCacheSize: 100,
    redisPrefix: 'test:',
    trusted,
    defaultMode: 'off',
    clientModes: {},
    logger,
    ...options,
  });
}

describe('loading trusted documents', () => {
  it('reads one manifest per client from <client>.json, by id and by body', () => {
    expect([...trusted.keys()]).toEqual(['web']);
    const web = trusted.get('web');
    expect(web?.byId.get('products-v1')?.body).toBe(PRODUCTS);
    expect(web?.byBodyHash.get(sha256(PRODUCTS))?.id).toBe('products-v1');
    expect(web?.byId.get(sha256(ME))?.name).toBe('Me');
  });

  async function loadingFails(file: string, content: string): Promise<string> {
    const bad = await mkdtemp(join(tmpdir(), 'junction-trusted-bad-'));
    try {
      await writeFile(join(bad, file), content);
      const error: unknown = await loadTrustedDocuments(bad).then(() => undefined, (reason: unknown) => reason);
      expect(error).toBeInstanceOf(Error);
      const { message } = error as Error;
      // The message names the file, so whoever deploys it knows what to fix.
      expect(message).toContain(join(bad, file));
      return message;
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  }
  const manifest = (changes: Record<string, unknown>) => JSON.stringify({ ...webManifest, ...changes });
  const operation = (changes: Record<string, unknown>) =>
    manifest({ operations: [{ id: 'a', name: 'A', type: 'query', body: '{ a }', ...changes }] });

  it('refuses a file that is not JSON', async () => {
    expect(await loadingFails('web.json', '{ "format": ')).toMatch(/web\.json: .*JSON/);
  });

  it('refuses another format or version, naming the field', async () => {
    expect(await loadingFails('web.json', manifest({ format: 'relay' }))).toMatch(/web\.json .*format:/);
    expect(await loadingFails('web.json', manifest({ version: 2 }))).toMatch(/web\.json .*version:/);
    expect(await loadingFails('web.json', JSON.stringify([webManifest]))).toMatch(/web\.json .*\(root\):/);
  });

  it('refuses an operation without a body, or of an unknown type, naming where', async () => {
    expect(await loadingFails('web.json', operation({ body: undefined }))).toMatch(/operations\.0\.body:/);
    expect(await loadingFails('web.json', operation({ type: 'query!' }))).toMatch(/operations\.0\.type:/);
    expect(await loadingFails('web.json', operation({ id: 7 }))).toMatch(/operations\.0\.id:/);
  });

  it('refuses a body that is not GraphQL, and an id given twice', async () => {
    expect(await loadingFails('web.json', operation({ body: 'query {' }))).toMatch(/operation "a": Syntax Error/);
    const twice = manifest({ operations: [...webManifest.operations, { ...webManifest.operations[1] }] });
    expect(await loadingFails('web.json', twice)).toMatch(/id "products-v1" appears twice/);
  });

  it('refuses a directory that does not exist', async () => {
    await expect(loadTrustedDocuments(join(dir, 'missing'))).rejects.toThrow(/cannot read the directory .*missing/);
  });

  it('loads an empty directory as no manifests, and ignores folders', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'junction-trusted-empty-'));
    await mkdir(join(empty, 'old.json'));
    expect((await loadTrustedDocuments(empty)).size).toBe(0);
    await rm(empty, { recursive: true, force: true });
  });
});

describe('client modes from configuration', () => {
  it('reads <client>=<mode> entries', () => {
    expect(parseClientModes(['web=enforce', ' ios = allowlist ', 'partner=off'])).toEqual({
      web: 'enforce',
      ios: 'allowlist',
      partner: 'off',
    });
  });

  it('lists every bad entry', () => {
    expect(() => parseClientModes(['web=strict', 'ios', '=off', 'web=off', 'a=off=on', 'a=off', 'a=enforce'])).toThrow(
      'Trusted document client modes: "web=strict" is not <client>=<off|allowlist|enforce>; ' +
        '"ios" is not <client>=<off|allowlist|enforce>; "=off" is not <client>=<off|allowlist|enforce>; ' +
        '"a=off=on" is not <client>=<off|allowlist|enforce>; client "a" is given a mode twice',
    );
  });
});

describe('mode off', () => {
  it('runs freeform text; text from the manifest counts as trusted', async () => {
    const store = documents();
    expectRuns(await store.resolve({ query: ADHOC }, byHeader('web')), ADHOC, false);
    expectRuns(await store.resolve({ query: PRODUCTS }, byHeader('web')), PRODUCTS, true);
    expectRuns(await store.resolve({ query: PRODUCTS }, byHeader('ios')), PRODUCTS, false);
  });

  it("runs a trusted document by its id, from the client's own manifest only", async () => {
    const store = documents();
    expectRuns(await store.resolve(withId('products-v1'), byHeader('web')), PRODUCTS, true);
    expectRuns(await store.resolve(withId(sha256(ME)), byCredential('web')), ME, true);
    expectRefused(await store.resolve(withId('products-v1'), byHeader('ios')), 200, 'PERSISTED_QUERY_NOT_FOUND');
  });

  it('speaks APQ: unknown hash, then hash with query, then hash alone', async () => {
    const store = documents();
    const query = '{ topProducts(first: 1) { upc } }';
    expectRefused(
      await store.resolve(withId(sha256(query)), byHeader()),
      200,
      'PERSISTED_QUERY_NOT_FOUND',
      'PersistedQueryNotFound',
    );
    expectRuns(await store.resolve(apq(query), byHeader()), query, false);
    expectRuns(await store.resolve(withId(sha256(query)), byHeader('anyone')), query, false);
  });

  it('refuses a query that does not match its hash, and stores nothing', async () => {
    const store = documents();
    expectRefused(
      await store.resolve(withId(sha256(ADHOC), PRODUCTS), byHeader()),
      400,
      'PERSISTED_QUERY_HASH_MISMATCH',
    );
    expectRefused(await store.resolve(withId(sha256(ADHOC)), byHeader()), 200, 'PERSISTED_QUERY_NOT_FOUND');
    // A manifest id with someone else's body is a mismatch too; with its own body it is not.
    expectRefused(
      await store.resolve(withId('products-v1', ME), byHeader('web')),
      400,
      'PERSISTED_QUERY_HASH_MISMATCH',
    );
    expectRuns(await store.resolve(withId('products-v1', PRODUCTS), byHeader('web')), PRODUCTS, true);
  });

  it('refuses other protocol versions and malformed extensions', async () => {
    const store = documents();
    const v2 = { extensions: { persistedQuery: { version: 2, sha256Hash: sha256(ADHOC) } } };
    expectRefused(await store.resolve(v2, byHeader()), 400, 'BAD_REQUEST', 'Unsupported persisted query version.');
    expectRefused(
      await store.resolve({ extensions: { persistedQuery: { version: 1 } } }, byHeader()),
      400,
      'BAD_REQUEST',
    );
    expectRefused(await store.resolve({ extensions: { persistedQuery: 'abc' } }, byHeader()), 400, 'BAD_REQUEST');
    expectRefused(await store.resolve({ query: '' }, byHeader()), 400, 'BAD_REQUEST');
  });

  it('says APQ is not supported when it is turned off, and still runs text', async () => {
    const store = documents({ apq: false });
    expectRefused(await store.resolve(withId(sha256(ADHOC)), byHeader()), 200, 'PERSISTED_QUERY_NOT_SUPPORTED');
    expectRuns(await store.resolve(apq(ADHOC), byHeader()), ADHOC, false);
    expectRuns(await store.resolve(withId('products-v1'), byHeader('web')), PRODUCTS, true);
  });

  it('keeps at most apqCacheSize documents in memory', async () => {
    const store = documents({ apqCacheSize: 1 });
    const [first, second] = ['{ a: __typename }', '{ b: __typename }'];
    await store.resolve(apq(first), byHeader());
    await store.resolve(apq(second), byHeader());
    expectRefused(await store.resolve(withId(sha256(first)), byHeader()), 200, 'PERSISTED_QUERY_NOT_FOUND');
    expectRuns(await store.resolve(withId(sha256(second)), byHeader()), second, false);
  });
});

describe('mode allowlist', () => {
  let store: PersistedDocuments;
  beforeAll(() => {
    store = documents({ defaultMode: 'allowlist' });
  });

  it('runs freeform text only when it is in the manifest', async () => {
    expectRuns(await store.resolve({ query: PRODUCTS }, byHeader('web')), PRODUCTS, true);
    expectRefused(
      await store.resolve({ query: ADHOC }, byHeader('web')),
      400,
      'PERSISTED_QUERY_NOT_IN_LIST',
      'This operation is not registered for client "web".',
    );
  });

  it('runs ids from the manifest and refuses others', async () => {
    expectRuns(await store.resolve(withId('products-v1'), byHeader('web')), PRODUCTS, true);
    expectRuns(await store.resolve(withId(sha256(PRODUCTS)), byHeader('web')), PRODUCTS, true);
    expectRefused(
      await store.resolve(withId('products-v2'), byHeader('web')),
      400,
      'PERSISTED_QUERY_UNKNOWN_ID',
      '"products-v2" is not a registered operation for client "web".',
    );
  });

  it('cannot be bypassed by registering text through APQ', async () => {
    expectRefused(await store.resolve(apq(ADHOC), byHeader('web')), 400, 'PERSISTED_QUERY_NOT_IN_LIST');
    expectRefused(await store.resolve(withId(sha256(ADHOC)), byHeader('web')), 400, 'PERSISTED_QUERY_UNKNOWN_ID');
  });

  it('refuses a query that does not match its hash', async () => {
    expectRefused(
      await store.resolve(withId(sha256(ME), PRODUCTS), byHeader('web')),
      400,
      'PERSISTED_QUERY_HASH_MISMATCH',
    );
  });

  it('gives a client without a manifest an empty list', async () => {
    expectRefused(await store.resolve({ query: PRODUCTS }, byHeader('ios')), 400, 'PERSISTED_QUERY_NOT_IN_LIST');
    expectRefused(
      await store.resolve(withId('products-v1'), byHeader()),
      400,
      'PERSISTED_QUERY_UNKNOWN_ID',
      '"products-v1" is not a registered operation for an unnamed client.',
    );
  });
});

describe('mode enforce', () => {
  let store: PersistedDocuments;
  beforeAll(() => {
    store = documents({ defaultMode: 'enforce' });
  });

  it('refuses freeform text, even text from the manifest', async () => {
    expectRefused(await store.resolve({ query: PRODUCTS }, byHeader('web')), 400, 'PERSISTED_QUERY_ID_REQUIRED');
    expectRefused(await store.resolve({ query: ADHOC }, byHeader()), 400, 'PERSISTED_QUERY_ID_REQUIRED');
  });

  it('runs ids from the manifest and refuses others', async () => {
    expectRuns(await store.resolve(withId('products-v1'), byHeader('web')), PRODUCTS, true);
    expectRuns(await store.resolve(withId(sha256(ME), ME), byHeader('web')), ME, true);
    expectRefused(await store.resolve(withId(sha256(ADHOC)), byHeader('web')), 400, 'PERSISTED_QUERY_UNKNOWN_ID');
    expectRefused(await store.resolve(apq(ADHOC), byHeader('web')), 400, 'PERSISTED_QUERY_UNKNOWN_ID');
    expectRefused(await store.resolve(withId('products-v1'), byHeader('ios')), 400, 'PERSISTED_QUERY_UNKNOWN_ID');
  });

  it('refuses a query that does not match its hash', async () => {
    expectRefused(
      await store.resolve(withId(sha256(ME), PRODUCTS), byHeader('web')),
      400,
      'PERSISTED_QUERY_HASH_MISMATCH',
    );
  });
});

describe('which mode applies', () => {
  it('gives a client named by a credential its own mode, even a laxer one', async () => {
    const store = documents({ defaultMode: 'enforce', clientModes: { web: 'off' } });
    expectRuns(await store.resolve({ query: ADHOC }, byCredential('web')), ADHOC, false);
    expectRefused(await store.resolve({ query: ADHOC }, byCredential('ios')), 400, 'PERSISTED_QUERY_ID_REQUIRED');
  });

  it('does not let a client named by a header relax the default', async () => {
    const store = documents({ defaultMode: 'enforce', clientModes: { web: 'off', ios: 'allowlist' } });
    expectRefused(await store.resolve({ query: ADHOC }, byHeader('web')), 400, 'PERSISTED_QUERY_ID_REQUIRED');
    expectRefused(await store.resolve({ query: PRODUCTS }, byHeader('ios')), 400, 'PERSISTED_QUERY_ID_REQUIRED');
  });

  it('lets a client named by a header be stricter than the default', async () => {
    const store = documents({ defaultMode: 'off', clientModes: { web: 'enforce' } });
    expectRefused(await store.resolve({ query: ADHOC }, byHeader('web')), 400, 'PERSISTED_QUERY_ID_REQUIRED');
    expectRuns(await store.resolve({ query: ADHOC }, byHeader('ios')), ADHOC, false);
    expectRuns(await store.resolve({ query: ADHOC }, byHeader()), ADHOC, false);
  });

  it('does not treat inherited object keys as client names', async () => {
    const store = documents({ defaultMode: 'allowlist' });
    const resolved = await store.resolve({ query: ADHOC }, byCredential('constructor'));
    expectRefused(resolved, 400, 'PERSISTED_QUERY_NOT_IN_LIST');
  });
});

describeRedis('APQ shared through Redis', () => {
  let prefix: string;
  let redisA: Redis;
  let redisB: Redis;
  beforeEach(async () => {
    prefix = uniquePrefix('apq');
    redisA = connectRedis(TEST_REDIS_URL, logger);
    redisB = connectRedis(TEST_REDIS_URL, logger);
    await Promise.all([ready(redisA), ready(redisB)]);
  });
  afterEach(async () => {
    await deleteKeys(redisA, prefix);
    redisA.disconnect();
    redisB.disconnect();
  });

  it('serves on one gateway what a client registered on another', async () => {
    const gatewayA = documents({ redis: redisA, redisPrefix: prefix });
    const gatewayB = documents({ redis: redisB, redisPrefix: prefix });
    const query = '{ shared: __typename }';
    expectRefused(await gatewayB.resolve(withId(sha256(query)), byHeader()), 200, 'PERSISTED_QUERY_NOT_FOUND');
    expectRuns(await gatewayA.resolve(apq(query), byHeader()), query, false);
    expectRuns(await gatewayB.resolve(withId(sha256(query)), byHeader()), query, false);

    const key = `${prefix}apq:${sha256(query)}`;
    expect(await redisA.get(key)).toBe(query);
    const ttl = await redisA.ttl(key);
    expect(ttl).toBeGreaterThan(24 * 60 * 60 - 60);
    expect(ttl).toBeLessThanOrEqual(24 * 60 * 60);

    // B now holds it in memory: it survives the key leaving Redis.
    await redisA.del(key);
    expectRuns(await gatewayB.resolve(withId(sha256(query)), byHeader()), query, false);
  });

  it('ignores a Redis entry whose text does not match its hash', async () => {
    const store = documents({ redis: redisA, redisPrefix: prefix });
    const query = '{ honest: __typename }';
    await redisA.set(`${prefix}apq:${sha256(query)}`, '{ forged: __typename }');
    expectRefused(await store.resolve(withId(sha256(query)), byHeader()), 200, 'PERSISTED_QUERY_NOT_FOUND');
  });

  it('keeps working from memory when Redis goes away', async () => {
    const leaving = connectRedis(TEST_REDIS_URL, logger);
    await ready(leaving);
    const store = documents({ redis: leaving, redisPrefix: prefix });
    const [before, after] = ['{ before: __typename }', '{ after: __typename }'];
    expectRuns(await store.resolve(apq(before), byHeader()), before, false);
    leaving.disconnect();
    expectRuns(await store.resolve(withId(sha256(before)), byHeader()), before, false);
    expectRuns(await store.resolve(apq(after), byHeader()), after, false);
    expectRuns(await store.resolve(withId(sha256(after)), byHeader()), after, false);
  });
});

describe('APQ without Redis', () => {
  it('works in memory when no Redis is configured', async () => {
    const store = documents({ redis: undefined });
    expectRuns(await store.resolve(apq(ADHOC), byHeader()), ADHOC, false);
    expectRuns(await store.resolve(withId(sha256(ADHOC)), byHeader()), ADHOC, false);
  });

  it('works in memory, without failing or waiting, when Redis is unreachable', async () => {
    const redis = connectRedis(await closedRedisUrl(), logger);
    try {
      const store = documents({ redis, redisPrefix: uniquePrefix('apq') });
      const started = Date.now();
      expectRefused(await store.resolve(withId(sha256(ADHOC)), byHeader()), 200, 'PERSISTED_QUERY_NOT_FOUND');
      expectRuns(await store.resolve(apq(ADHOC), byHeader()), ADHOC, false);
      expectRuns(await store.resolve(withId(sha256(ADHOC)), byHeader()), ADHOC, false);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      redis.disconnect();
    }
  });
});

function ready(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}
