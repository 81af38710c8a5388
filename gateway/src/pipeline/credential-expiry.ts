/**
 * A subscription outlives the request that opened it, so the credential that
 * let it in can expire while it is open: a JWT's `exp` (Identity.expiresAt).
 * The caller is identified once, at connect; past that instant the gateway
 * would refuse the same credential, so what it opened ends there, as Apollo
 * Router ends subscriptions (with the same code on HTTP streams):
 * - graphql-ws: the connection closes 4403, which graphql-ws's client retries,
 *   connecting again with fresh `connectionParams` and resubscribing;
 * - SSE and multipart: a last event with SUBSCRIPTION_JWT_EXPIRED, then the end.
 */
export const CREDENTIAL_EXPIRED = {
  message: 'The subscription ended because the token it was opened with has expired: subscribe again with a new one.',
  extensions: { code: 'SUBSCRIPTION_JWT_EXPIRED' },
} as const;

export const CREDENTIAL_EXPIRED_CLOSE_REASON = 'Forbidden: the token has expired';

/** The longest a timer waits (about 24.8 days); a later expiry is waited for in steps. */
const LONGEST_WAIT_MS = 2 ** 31 - 1;

/**
 * Calls `expired` once, at `expiresAt` (milliseconds since the epoch), unless
 * the function it returns is called first. Without an expiry, nothing.
 */
export function atExpiry(expiresAt: number | undefined, expired: () => void): () => void {
  if (expiresAt === undefined) return () => {};
  let timer: NodeJS.Timeout | undefined;
  const wait = () => {
    const left = expiresAt - Date.now();
    if (left <= 0) return expired();
    timer = setTimeout(wait, Math.min(left, LONGEST_WAIT_MS));
    // A timer alone must not hold a gateway open at shutdown.
    timer.unref();
  };
  // Never within the caller's own turn: it has not finished setting up what `expired` ends.
  timer = setTimeout(wait, 0);
  timer.unref();
  return () => clearTimeout(timer);
}
