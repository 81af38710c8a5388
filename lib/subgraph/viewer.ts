import type { Identity } from '#lib/identity.js';

/**
 * The signed-in user a subgraph serves, from the identity the gateway verified
 * and forwarded. Only users whose subject is one of our user ids count: a
 * partner's API key, or a token from another identity provider, is not a user.
 */
export type Viewer = { userId: number; scopes: readonly string[] };

export function viewerOf(identity: Identity | null): Viewer | null {
  if (identity?.kind !== 'user') return null;
  const userId = Number(identity.subject);
  if (!Number.isSafeInteger(userId) || userId <= 0) return null;
  return { userId, scopes: identity.scopes };
}
