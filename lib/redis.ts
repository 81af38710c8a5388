import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * Redis is an optimisation for the gateway (shared APQ cache, shared rate
 * limits), never a dependency: every caller falls back to memory when a
 * command fails, so a command must fail fast instead of waiting for Redis.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 500;

/** Longest pause between reconnection attempts during an outage. */
const MAX_RECONNECT_DELAY_MS = 5_000;

/**
 * A client that never makes a request wait on an outage:
 * - no offline queue: while disconnected, commands fail at once (and are not
 *   replayed later, which would spend rate-limit tokens for requests long gone);
 * - a stuck but connected server costs at most REDIS_COMMAND_TIMEOUT_MS;
 * - in-flight commands are not resent after a reconnect, for the same reason;
 * - it keeps reconnecting in the background with capped exponential backoff.
 * An outage is logged once when it starts and once when it ends, not per command.
 */
export function connectRedis(url: string, logger: Logger): Redis {
  const where = describeUrl(url);
  let down = false;
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), MAX_RECONNECT_DELAY_MS),
  });
  // Without a listener ioredis prints every failed reconnection attempt itself.
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.warn({ err, redis: where }, 'Redis is unavailable; using in-memory state until it is back');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({ redis: where }, 'Redis is available again');
  });
  return redis;
}

/**
 * A warning that is logged at most once per interval: when Redis fails, every
 * request falls back, and one log line per request would flood the logs.
 */
export function throttledWarning(logger: Logger, message: string, intervalMs = 30_000): (err: unknown) => void {
  let last = -Infinity;
  let suppressed = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      suppressed++;
      return;
    }
    logger.warn({ err, suppressed }, message);
    last = now;
    suppressed = 0;
  };
}

/** Host and port only: a Redis URL may carry a password. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'redis';
  }
}
