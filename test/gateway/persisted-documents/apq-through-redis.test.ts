import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PersistedDocumentsOptions, TrustedDocuments } from '#gateway/stages/persisted-documents/persisted-documents.js';
import { connectRedis } from '#lib/redis.js';
import {
  ADHOC,
  apq,
  byHeader,
  expectRefused,
  expectRuns,
  logger,
  persistedDocuments,
  removeTrustedDocuments,
  sha256,
  withId,
  writeTrustedDocuments,
} from '../../support/persisted-documents.js';
import { closedRedisUrl, deleteKeys, describeRedis, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.js';

/**
 * APQ across gateways: documents registered on one are served by another through Redis,
 * and kept in memory when Redis is not configured, unreachable or gone.
 */

let dir: string;
let trusted: TrustedDocuments;

beforeAll(async () => {
  ({ dir, trusted } = await writeTrustedDocuments());
});
afterAll(() => removeTrustedDocuments(dir));

const documents = (options: Partial<PersistedDocumentsOptions> = {}) => persistedDocuments(trusted, options);

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
