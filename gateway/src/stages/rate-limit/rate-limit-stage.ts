import { clientAddress } from '#lib/client-address.js';
import type { GatewaySettings } from '#lib/env.js';
import { refusal, type Stage } from '#gateway/pipeline/stage.js';
import type { BucketLimits, RateLimiter } from './rate-limiter.js';

export type RateLimitStageOptions = {
  limiter: RateLimiter;
  settings: Exclude<GatewaySettings['rateLimit'], false>;
  /** Counts each refusal by what was limited: an API key or an address. */
  onLimited?: ((by: 'api_key' | 'address') => void) | undefined;
};

/**
 * A token bucket per API key, or per address for everyone else, taken before
 * the body is read: a refused request costs one bucket lookup. A key's own
 * limits (`junction api-key create --rate-limit`) replace the defaults.
 */
export function rateLimitStage({ limiter, settings, onLimited }: RateLimitStageOptions): Stage {
  return {
    name: 'rate-limit',
    async onRequest({ req, identity }) {
      const byKey = identity?.kind === 'api-key';
      const limits: BucketLimits = identity?.rateLimit ?? (byKey ? settings.apiKey : settings.anonymous);
      const key = byKey ? `key:${identity?.subject}` : `ip:${clientAddress(req, settings.trustProxy)}`;
      const taken = await limiter.take(key, limits);
      if (taken.allowed) return undefined;
      onLimited?.(byKey ? 'api_key' : 'address');
      // The body is not read: close the connection rather than drain it.
      return refusal(429, 'RATE_LIMITED', `Too many requests; retry in ${taken.retryAfterSeconds} s.`, {
        headers: { 'retry-after': String(taken.retryAfterSeconds), connection: 'close' },
        extensions: { retryAfter: taken.retryAfterSeconds },
      });
    },
  };
}
