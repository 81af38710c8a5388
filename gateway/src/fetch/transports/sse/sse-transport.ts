import { createClient, NetworkError } from 'graphql-sse';
import { GATEWAY_HEADER } from '#lib/identity.js';
import type { GatewayContext, SubgraphFetchRequest, SubgraphResponse } from '#gateway/fetch/transport.js';
import { EventQueue } from '../event-queue.js';
import { EventBounds } from './event-bounds.js';
import { subscriptionFailure, toSubgraphResponse, type SubscriptionTransport, type SubscriptionTransportOptions } from '../subscription-transport.js';

/**
 * Subscriptions to one subgraph over GraphQL over Server-Sent Events
 * (graphql-sse's protocol, distinct connections mode): each subscription is
 * its own streaming POST, so it carries its caller's gateway token as the
 * `x-junction-gateway` header, as a fetch does. Ending it aborts the request,
 * which the subgraph sees as the subscription's end. Each event is held to
 * SUBGRAPH_MAX_RESPONSE_BYTES as it arrives (event-bounds.ts), as ws's
 * maxPayload holds graphql-ws's.
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
      let tooLarge = false;
      const client = createClient({
        url: this.options.url,
        singleConnection: false,
        retryAttempts: 0,
        fetchFn: boundedFetch(this.options.maxEventBytes, () => (tooLarge = true)),
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
            const kind = tooLarge ? 'event-too-large' : error instanceof NetworkError && error.response ? 'refused' : 'lost';
            queue.fail(subscriptionFailure(this.options, kind, error));
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

/** fetch for graphql-sse's client, whose answer's stream fails once one event passes `maxEventBytes`. */
function boundedFetch(maxEventBytes: number, exceeded: () => void): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!response.body) return response;
    const bounds = new EventBounds(maxEventBytes);
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          if (bounds.take(chunk)) return controller.enqueue(chunk);
          exceeded();
          controller.error(new Error(`An event passed ${maxEventBytes} bytes.`));
        },
      }),
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
