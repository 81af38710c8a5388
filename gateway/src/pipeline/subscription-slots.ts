import { clientAddress } from '#lib/client-address.js';
import type { SubscriptionSlots } from './operation-runner.js';
import type { RequestState } from './stage.js';

/**
 * SUBSCRIPTIONS_PER_CLIENT: how many subscriptions one client may have open
 * on this process at once, over every protocol. A client is its credential's
 * (an API key's client or id, a user's subject), else its address.
 */
export function subscriptionSlots(perClient: number, trustProxy: number): SubscriptionSlots & { readonly open: number } {
  const counts = new Map<string, number>();
  const keyOf = (request: RequestState): string => {
    const identity = request.identity;
    if (identity) return `${identity.kind}:${identity.client ?? identity.subject}`;
    return `address:${clientAddress(request.req, trustProxy)}`;
  };
  let open = 0;
  return {
    take(request) {
      const key = keyOf(request);
      const count = counts.get(key) ?? 0;
      if (count >= perClient) return false;
      counts.set(key, count + 1);
      open++;
      return true;
    },
    give(request) {
      const key = keyOf(request);
      const count = counts.get(key) ?? 0;
      if (count <= 1) counts.delete(key);
      else counts.set(key, count - 1);
      open--;
    },
    get open() {
      return open;
    },
  };
}
