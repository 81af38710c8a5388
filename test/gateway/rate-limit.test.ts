import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRateLimiter } from '#gateway/stages/rate-limit/rate-limiter.js';
import { connectRedis } from '#lib/redis.js';
import { closedRedisUrl, deleteKeys, describeRedis, TEST_REDIS_URL, uniquePrefix } from '../support/redis.js';

/** Token buckets, as a gateway spends them: in memory, through a shared Redis, and with Redis gone. */
const limits = { burst: 3, perSecond: 10 };

/** A logger whose lines the test can read. */
function recordingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), warnings: () => lines.filter((line) => line.level === 40) };
}

const silent = pino({ level: 'silent' });

describe('in memory', () => {
  let clock = 0;
  const limiter = createRateLimiter({ prefix: 'test:', logger: silent, now: () => clock });
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('lets a burst through, then refuses with the seconds until the next token', async () => {
    const taken = [];
    for (let i = 0; i < 4; i++) taken.push(await limiter.take('ip:10.0.0.1', limits));
    expect(taken).toEqual([
      { allowed: true, remaining: 2, retryAfterSeconds: 0 },
      { allowed: true, remaining: 1, retryAfterSeconds: 0 },
      { allowed: true, remaining: 0, retryAfterSeconds: 0 },
      { allowed: false, remaining: 0, retryAfterSeconds: 1 },
    ]);
  });

  it('rounds a long wait up to whole seconds', async () => {
    const slow = { burst: 1, perSecond: 0.2 };
    expect(await limiter.take('ip:10.0.0.2', slow)).toMatchObject({ allowed: true });
    clock += 1_500;
    // 0.3 of a token earned; the rest takes 3.5 s.
    expect(await limiter.take('ip:10.0.0.2', slow)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 4 });
  });

  it('earns tokens back over time, never more than the burst', async () => {
    for (let i = 0; i < 3; i++) await limiter.take('ip:10.0.0.3', limits);
    expect((await limiter.take('ip:10.0.0.3', limits)).allowed).toBe(false);

    clock += 100; // one token at 10 per second
    expect(await limiter.take('ip:10.0.0.3', limits)).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
    expect((await limiter.take('ip:10.0.0.3', limits)).allowed).toBe(false);

    clock += 60_000;
    const taken = [];
    for (let i = 0; i < 4; i++) taken.push((await limiter.take('ip:10.0.0.3', limits)).allowed);
    expect(taken).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per key: another client is not affected', async () => {
    for (let i = 0; i < 4; i++) await limiter.take('key:greedy', limits);
    expect(await limiter.take('key:greedy', limits)).toMatchObject({ allowed: false });
    expect(await limiter.take('key:other', limits)).toEqual({ allowed: true, remaining: 2, retryAfterSeconds: 0 });
  });

  it('forgets the least recently used buckets beyond its bound', async () => {
    const small = createRateLimiter({ prefix: 'test:', logger: silent, now: () => clock, maxBuckets: 2 });
    for (let i = 0; i < 3; i++) await small.take('ip:a', limits);
    await small.take('ip:b', limits);
    await small.take('ip:c', limits);
    // ip:a was evicted, so it starts again from a full bucket.
    expect(await small.take('ip:a', limits)).toEqual({ allowed: true, remaining: 2, retryAfterSeconds: 0 });
  });
});

describeRedis('through Redis', () => {
  let redis: Redis;
  let other: Redis;
  let prefix: string;
  beforeEach(async () => {
    prefix = uniquePrefix('rate-limit');
    redis = connectRedis(TEST_REDIS_URL, silent);
    other = connectRedis(TEST_REDIS_URL, silent);
    await Promise.all([waitReady(redis), waitReady(other)]);
  });
  afterEach(async () => {
    await deleteKeys(redis, prefix);
    await Promise.all([redis.quit(), other.quit()]);
  });

  it('lets a burst through, then refuses with a retry after of one second', async () => {
    const limiter = createRateLimiter({ redis, prefix, logger: silent });
    const taken = [];
    for (let i = 0; i < 4; i++) taken.push(await limiter.take('ip:10.0.0.1', limits));
    expect(taken.map((take) => take.allowed)).toEqual([true, true, true, false]);
    expect(taken[0]).toEqual({ allowed: true, remaining: 2, retryAfterSeconds: 0 });
    expect(taken[3]).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
  });

  it('earns tokens back over time, never more than the burst', async () => {
    const limiter = createRateLimiter({ redis, prefix, logger: silent });
    for (let i = 0; i < 4; i++) await limiter.take('ip:10.0.0.2', limits);
    // At 10 per second, 250 ms earns at least two tokens (and the burst caps it at three).
    await sleep(250);
    expect((await limiter.take('ip:10.0.0.2', limits)).allowed).toBe(true);
    expect((await limiter.take('ip:10.0.0.2', limits)).allowed).toBe(true);

    await sleep(500);
    const taken = [];
    for (let i = 0; i < 3; i++) taken.push(await limiter.take('ip:10.0.0.2', limits));
    expect(taken.map((take) => take.allowed)).toEqual([true, true, true]);
    expect(taken[0]?.remaining).toBe(2);
  });

  it('keeps one bucket per key: another client is not affected', async () => {
    const limiter = createRateLimiter({ redis, prefix, logger: silent });
    for (let i = 0; i < 4; i++) await limiter.take('key:greedy', limits);
    expect(await limiter.take('key:other', limits)).toEqual({ allowed: true, remaining: 2, retryAfterSeconds: 0 });
  });

  it('gives two gateways sharing a Redis one bucket per key', async () => {
    const first = createRateLimiter({ redis, prefix, logger: silent });
    const second = createRateLimiter({ redis: other, prefix, logger: silent });
    const taken = [
      await first.take('key:shared', limits),
      await second.take('key:shared', limits),
      await first.take('key:shared', limits),
      await second.take('key:shared', limits),
    ];
    expect(taken.map((take) => take.allowed)).toEqual([true, true, true, false]);
    expect(taken[1]?.remaining).toBe(1);
  });

  it('stores the bucket with an expiry, so idle clients cost Redis nothing', async () => {
    const limiter = createRateLimiter({ redis, prefix, logger: silent });
    await limiter.take('ip:10.0.0.9', limits);
    const ttl = await redis.pttl(`${prefix}ratelimit:ip:10.0.0.9`);
    // One token to earn back (100 ms) plus a second of slack.
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_100);
  });

  it('counts in memory when Redis goes away under it', async () => {
    const leaving = connectRedis(TEST_REDIS_URL, silent);
    await waitReady(leaving);
    const limiter = createRateLimiter({ redis: leaving, prefix, logger: silent });
    expect(await limiter.take('ip:10.0.0.11', limits)).toMatchObject({ allowed: true, remaining: 2 });
    leaving.disconnect();
    // The in-memory bucket starts full: a limit per gateway while Redis is away.
    const taken = [];
    for (let i = 0; i < 4; i++) taken.push((await limiter.take('ip:10.0.0.11', limits)).allowed);
    expect(taken).toEqual([true, true, true, false]);
  });

  it('loads its script again after Redis forgets it', async () => {
    const limiter = createRateLimiter({ redis, prefix, logger: silent });
    await limiter.take('ip:10.0.0.10', limits);
    await redis.script('FLUSH');
    expect(await limiter.take('ip:10.0.0.10', limits)).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 0 });
  });
});

describe('with Redis unreachable', () => {
  it('counts in memory, without failing or waiting, and warns once', async () => {
    const { logger, warnings } = recordingLogger();
    const redis = connectRedis(await closedRedisUrl(), logger);
    try {
      const limiter = createRateLimiter({ redis, prefix: 'test:', logger });
      const started = Date.now();
      const taken = [];
      for (let i = 0; i < 4; i++) taken.push(await limiter.take('ip:10.0.0.1', limits));
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(taken.map((take) => take.allowed)).toEqual([true, true, true, false]);
      expect(taken[3]?.retryAfterSeconds).toBe(1);

      await sleep(300); // several reconnection attempts fail meanwhile
      // One warning for the outage (from the client), one for the fallback (from the limiter).
      const messages = warnings().map((line) => line.msg);
      expect(messages).toHaveLength(2);
      expect(messages).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^Redis is unavailable/),
          expect.stringMatching(/^Rate limit: Redis failed/),
        ]),
      );
    } finally {
      redis.disconnect();
    }
  });
});

function waitReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}
