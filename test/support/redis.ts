import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';

/**
 * Tests that need a real Redis use REDIS_URL, or a local Redis by default.
 * Each test works under a prefix of its own and deletes its keys afterwards,
 * so files can run in parallel against one Redis.
 */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether a Redis answers PING at `url` within a second. */
export async function redisAvailable(url: string = TEST_REDIS_URL): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    commandTimeout: 1_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const reachable = await redisAvailable();

/**
 * `describe` for suites that need Redis. Without a reachable Redis they are
 * skipped on a laptop, but fail in CI (CI set), so CI never silently skips them.
 */
export function describeRedis(name: string, body: () => void): void {
  if (reachable) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('needs a Redis', () => {
        throw new Error(`No Redis answers at ${TEST_REDIS_URL}; CI must run the Redis tests (set REDIS_URL).`);
      });
    });
  } else {
    describe.skip(`${name} (no Redis at ${TEST_REDIS_URL})`, body);
  }
}

/** A key prefix no other test uses. */
export function uniquePrefix(label: string): string {
  return `junction_test:${label}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A redis:// URL where nothing listens: a port that was free a moment ago. */
export async function closedRedisUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return `redis://127.0.0.1:${address.port}`;
}
