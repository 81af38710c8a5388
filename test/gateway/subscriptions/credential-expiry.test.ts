import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { atExpiry } from '#gateway/pipeline/credential-expiry.js';

/**
 * When a subscription's token expires (credential-expiry.ts): at its expiry,
 * never before, however far off (a timer waits at most ~24.8 days), never in
 * the caller's own turn, and not at all once cancelled or without an expiry.
 * Through the gateway: test/subscriptions/security.test.ts.
 */
const DAY_MS = 24 * 60 * 60 * 1000;

describe('atExpiry', () => {
  beforeEach(() => void vi.useFakeTimers({ now: Date.UTC(2026, 11, 3) }));
  afterEach(() => void vi.useRealTimers());

  it('calls back at the expiry, also one past what a single timer can wait', () => {
    for (const after of [1_000, 40 * DAY_MS]) {
      const expired = vi.fn();
      atExpiry(Date.now() + after, expired);
      vi.advanceTimersByTime(after - 1);
      expect(expired).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(expired).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(60 * DAY_MS);
      expect(expired).toHaveBeenCalledTimes(1);
    }
  });

  it('an expiry already past is called back after the caller’s turn, not within it', () => {
    const expired = vi.fn();
    atExpiry(Date.now() - 1, expired);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('never once cancelled, nor without an expiry', () => {
    const expired = vi.fn();
    const cancel = atExpiry(Date.now() + 40 * DAY_MS, expired);
    vi.advanceTimersByTime(30 * DAY_MS);
    cancel();
    atExpiry(undefined, expired);
    vi.advanceTimersByTime(30 * DAY_MS);
    expect(expired).not.toHaveBeenCalled();
  });
});
