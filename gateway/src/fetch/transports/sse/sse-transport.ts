import { createClient, NetworkError } from 'graphql-sse';
import { GATEWAY_HEADER } from '#lib/identity.js';
import type { GatewayContext, SubgraphFetchRequest, SubgraphResponse } from '#gateway/fetch/transport.js';
import { EventQueue } from '../event-queue.js';
import { subscriptionFailure, toSubgraphResponse, type SubscriptionTransport, type SubscriptionTransportOptions } from '../subscription-transport.js';

/**
 * Subscriptions to one subgraph over GraphQL over Server-Sent Events
 * (graphql-sse's protocol, distinct connections mode): each subscription is
 * its own streaming POST, so it carries its caller's gateway token as the
 * `x-junction-gateway` header, as a fetch does. Ending it aborts the request,
 * which the subgraph sees as the subscription's end.
 */
export function createSseTransport(options: SubscriptionTransportOptions): SubscriptionTransport {
  return new SseTransport(options);
}

class SseTransport implements SubscriptionTransport {
  readonly name: string;
  /** How to stop each open subscription. */
  private readonly active = new Set<() => void>();

  constructor(private readonly options: SubscriptionTransportOptions) {
    this.name = options.name;
  }

  get open(): number {
    return this.active.size;
  }

  subscribe(request: SubgraphFetchRequest, context: GatewayContext): AsyncIterableIterator<SubgraphResponse> {
    const queue = new EventQueue<SubgraphResponse>(this.options.maxPendingEvents, () => subscriptionFailure(this.options, 'overflow'));
    void (async () => {
      let token: string;
      try {
        token = (await context.gatewayToken?.()) ?? '';
      } catch (error) {
        queue.fail(error);
        return;
      }
      if (queue.closed) return;
      const client = createClient({
        url: this.options.url,
        singleConnection: false,
        retryAttempts: 0,
        headers: token ? { [GATEWAY_HEADER]: token, 'x-request-id': context.requestId } : { 'x-request-id': context.requestId },
      });
      const stop = () => {
        if (!this.active.delete(stop)) return;
        unsubscribe();
        client.dispose();
      };
      this.active.add(stop);
      const { query, variables, operationName, extensions } = request;
      const unsubscribe = client.subscribe(
        { query, variables, ...(operationName ? { operationName } : {}), ...(extensions ? { extensions } : {}) },
        {
          next: (value) => queue.push(toSubgraphResponse(value)),
          error: (error) => {
            stop();
            queue.fail(subscriptionFailure(this.options, error instanceof NetworkError && error.response ? 'refused' : 'lost', error));
          },
          complete: () => {
            stop();
            queue.end();
          },
        },
      );
      queue.onStop(stop);
    })();
    return queue;
  }

  close(): void {
    for (const stop of [...this.active]) stop();
  }

  /** Nothing is shared between subscriptions: a retired transport has nothing to close but them, which end on their own. */
  retire(): void {}
}
