import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from '#lib/logger.js';
import { throttledWarning } from '#lib/redis.js';

/**
 * Token buckets: a caller may spend `burst` requests at once, and earns
 * `perSecond` back over time. Buckets live in Redis when there is one, so every
 * gateway instance spends from the same bucket, and in memory otherwise (or
 * while Redis is failing: a limit per instance beats no limit, or a refusal).
 */
export type BucketLimits = { burst: number; perSecond: number };

export type RateLimitResult = {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** When refused: whole seconds (at least 1) until a token is available. When allowed: 0. */
  retryAfterSeconds: number;
};

export type RateLimiter = { take(key: string, limits: BucketLimits): Promise<RateLimitResult> };

export type RateLimiterOptions = {
  /** Best a client from connectRedis, whose commands fail fast during an outage. */
  redis?: Redis | undefined;
  prefix: string;
  logger: Logger;
  /** Most buckets kept in memory; the least recently used go first (a full bucket is no loss). */
  maxBuckets?: number;
  /** Milliseconds, for the in-memory buckets; tests move time by hand. */
  now?: () => number;
};

/**
 * One take, atomically. Time is Redis's own (TIME), so gateways whose clocks
 * disagree still agree on the bucket. The bucket (tokens, ts in ms) expires
 * once it would be full again, when forgetting it changes nothing. If the
 * clock steps back (a failover), the step earns nothing, and the bucket goes on from there.
 * Returns { allowed (0|1), whole tokens left, ms until the next token }.
 */
const TAKE_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then tokens = burst; ts = now end
if now > ts then tokens = tokens + (now - ts) * rate / 1000 end
if tokens > burst then tokens = burst end
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
local wait = 0
if tokens < 1 then wait = math.ceil((1 - tokens) * 1000 / rate) end
return { allowed, math.floor(tokens), wait }
`;
const TAKE_SHA = createHash('sha1').update(TAKE_SCRIPT).digest('hex');

type Bucket = { tokens: number; ts: number };
type Take = { allowed: boolean; tokens: number; waitMs: number };

/** The same arithmetic as TAKE_SCRIPT, for a bucket in memory. */
function takeFrom(bucket: Bucket | undefined, limits: BucketLimits, now: number): { bucket: Bucket; take: Take } {
  let tokens = bucket?.tokens ?? limits.burst;
  const ts = bucket?.ts ?? now;
  if (now > ts) tokens += ((now - ts) * limits.perSecond) / 1000;
  tokens = Math.min(tokens, limits.burst);
  const allowed = tokens >= 1;
  if (allowed) tokens -= 1;
  const waitMs = tokens < 1 ? Math.ceil(((1 - tokens) * 1000) / limits.perSecond) : 0;
  return { bucket: { tokens, ts: now }, take: { allowed, tokens, waitMs } };
}

function result({ allowed, tokens, waitMs }: Take): RateLimitResult {
  return {
    allowed,
    remaining: Math.max(0, Math.floor(tokens)),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(waitMs / 1000)),
  };
}

const isNoScript = (error: unknown) => error instanceof Error && error.message.startsWith('NOSCRIPT');

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { redis, prefix } = options;
  const now = options.now ?? (() => performance.now());
  const buckets = new LRUCache<string, Bucket>({ max: options.maxBuckets ?? 100_000 });
  const warn = throttledWarning(options.logger, 'Rate limit: Redis failed; counting in memory on this gateway');

  function takeInMemory(key: string, limits: BucketLimits): Take {
    const { bucket, take } = takeFrom(buckets.get(key), limits, now());
    buckets.set(key, bucket);
    return take;
  }

  async function takeInRedis(client: Redis, key: string, limits: BucketLimits): Promise<Take> {
    const args = [1, `${prefix}ratelimit:${key}`, limits.burst, limits.perSecond] as const;
    let reply: unknown;
    try {
      reply = await client.evalsha(TAKE_SHA, ...args);
    } catch (error) {
      // The first call on a Redis (or after a restart) loads the script.
      if (!isNoScript(error)) throw error;
      reply = await client.eval(TAKE_SCRIPT, ...args);
    }
    if (!Array.isArray(reply) || reply.length !== 3 || !reply.every((value) => typeof value === 'number')) {
      throw new Error(`Unexpected reply from the rate limit script: ${JSON.stringify(reply)}`);
    }
    const [allowed, tokens, waitMs] = reply as [number, number, number];
    return { allowed: allowed === 1, tokens, waitMs };
  }

  return {
    async take(key, limits) {
      if (!(limits.burst >= 1 && limits.perSecond > 0)) {
        throw new Error(`A rate limit needs burst >= 1 and perSecond > 0, not ${JSON.stringify(limits)}.`);
      }
      if (!redis) return result(takeInMemory(key, limits));
      try {
        return result(await takeInRedis(redis, key, limits));
      } catch (error) {
        warn(error);
        return result(takeInMemory(key, limits));
      }
    },
  };
}
