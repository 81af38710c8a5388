import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { GATEWAY_HEADER } from '#lib/identity.js';
import type { GatewayContext, SubgraphFetchRequest, SubgraphResponse } from '#gateway/fetch/transport.js';
import { EventQueue } from '../event-queue.js';
import { subscriptionFailure, toSubgraphResponse, type SubscriptionTransport, type SubscriptionTransportOptions } from '../subscription-transport.js';

/** How long a connection with no subscription left stays open for the next one. */
const LINGER_MS = 3_000;

/**
 * Subscriptions to one subgraph over graphql-ws (the `graphql-transport-ws`
 * protocol). One WebSocket per caller identity: the subgraph authenticates
 * the gateway token once per connection (connection_init's payload and the
 * upgrade request's `x-junction-gateway` header), so the subscriptions of one
 * token share a connection and no caller's subscription rides on another's.
 * Anonymous callers share the gateway's anonymous token (re-signed each
 * minute), hence one connection. A connection is opened by its first
 * subscription and closed a little after its last (graphql-ws's lazy mode).
 *
 * A connection that drops fails its subscriptions (the executor answers a
 * coded error and completes them) rather than silently resubscribing, which
 * would lose the events in between; the next subscription connects again.
 */
export function createWsTransport(options: SubscriptionTransportOptions): SubscriptionTransport {
  return new WsTransport(options);
}

type Connection = { client: Client; open: number; linger: NodeJS.Timeout | undefined };

class WsTransport implements SubscriptionTransport {
  readonly name: string;
  private readonly connections = new Map<string, Connection>();
  private retiring = false;
  private subscriptions = 0;

  constructor(private readonly options: SubscriptionTransportOptions) {
    this.name = options.name;
  }

  get open(): number {
    return this.subscriptions;
  }

  subscribe(request: SubgraphFetchRequest, context: GatewayContext): AsyncIterableIterator<SubgraphResponse> {
    const queue = new EventQueue<SubgraphResponse>(this.options.maxPendingEvents, () => subscriptionFailure(this.options, 'overflow'));
    this.subscriptions++;
    let released = false;
    const release = (connection?: Connection) => {
      if (released) return;
      released = true;
      this.subscriptions--;
      if (connection) this.leave(connection);
      else if (this.retiring) this.closeIdle();
    };
    void (async () => {
      let token: string;
      try {
        token = (await context.gatewayToken?.()) ?? '';
      } catch (error) {
        // Not the subgraph's doing (signing failed): passed on as it is.
        release();
        queue.fail(error);
        return;
      }
      if (queue.closed) return release();
      const connection = this.connection(token);
      const { query, variables, operationName } = request;
      // Also per subscription, for a subgraph that reads identity per operation rather than per connection.
      const extensions = { ...request.extensions, ...(token ? { [GATEWAY_HEADER]: token } : {}) };
      const unsubscribe = connection.client.subscribe(
        { query, variables, ...(operationName ? { operationName } : {}), extensions },
        {
          next: (value) => queue.push(toSubgraphResponse(value)),
          error: (error) => {
            release(connection);
            // The subgraph's own errors (graphql-ws's `error` message): the last event, then the end.
            if (Array.isArray(error)) {
              queue.push({ errors: error });
              queue.end();
            } else queue.fail(subscriptionFailure(this.options, pastMaxPayload(error) ? 'event-too-large' : 'lost', error));
          },
          complete: () => {
            release(connection);
            queue.end();
          },
        },
      );
      queue.onStop(() => {
        unsubscribe();
        release(connection);
      });
    })();
    return queue;
  }

  /** The connection for `token`, opened (lazily, by graphql-ws) for its first subscription. */
  private connection(token: string): Connection {
    let connection = this.connections.get(token);
    if (!connection) {
      const headers = token ? { [GATEWAY_HEADER]: token } : {};
      const maxPayload = this.options.maxEventBytes;
      // The upgrade request carries the token too, for a subgraph that authenticates there.
      class IdentifiedWebSocket extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers, maxPayload });
        }
      }
      connection = {
        client: createClient({
          url: this.options.url,
          webSocketImpl: IdentifiedWebSocket,
          connectionParams: headers,
          lazy: true,
          lazyCloseTimeout: 0,
          retryAttempts: 0,
          keepAlive: this.options.keepAliveMs,
          on: pongTimeout(this.options.keepAliveMs),
        }),
        open: 0,
        linger: undefined,
      };
      this.connections.set(token, connection);
    }
    if (connection.linger) clearTimeout(connection.linger);
    connection.linger = undefined;
    connection.open++;
    return connection;
  }

  /** A subscription on `connection` is over: the connection closes a little after its last. */
  private leave(connection: Connection): void {
    connection.open--;
    if (connection.open > 0) return;
    if (this.retiring) return this.dispose(connection);
    connection.linger = setTimeout(() => this.dispose(connection), LINGER_MS);
    connection.linger.unref();
  }

  private dispose(connection: Connection): void {
    if (connection.linger) clearTimeout(connection.linger);
    for (const [token, each] of this.connections) if (each === connection) this.connections.delete(token);
    void connection.client.dispose();
  }

  private closeIdle(): void {
    for (const connection of [...this.connections.values()]) if (connection.open === 0) this.dispose(connection);
  }

  /** Closes every connection; their subscriptions end (graphql-ws completes them on a normal closure). */
  close(): void {
    for (const connection of [...this.connections.values()]) this.dispose(connection);
  }

  /** After `afterMs`, each connection closes as soon as its last subscription ends. */
  retire(afterMs: number): void {
    setTimeout(() => {
      this.retiring = true;
      this.closeIdle();
    }, afterMs).unref();
  }
}

/**
 * A subgraph that stops answering pings (its host gone, a half-open TCP
 * connection) is cut off within one more keep-alive interval: its
 * subscriptions fail instead of waiting forever for events.
 */
function pongTimeout(keepAliveMs: number) {
  let socket: WebSocket | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    connected: (connected: unknown) => {
      socket = connected as WebSocket;
    },
    ping: (received: boolean) => {
      if (received) return;
      clearTimeout(timer);
      timer = setTimeout(() => socket?.terminate(), keepAliveMs);
      timer.unref();
    },
    pong: (received: boolean) => {
      if (received) clearTimeout(timer);
    },
    closed: () => {
      clearTimeout(timer);
      socket = undefined;
    },
  };
}

/** ws's error (in graphql-ws's error event) for a message over maxPayload, before it closes the socket with 1009. */
function pastMaxPayload(error: unknown): boolean {
  const cause = typeof error === 'object' && error !== null && 'error' in error ? (error as { error: unknown }).error : error;
  return typeof cause === 'object' && cause !== null && (cause as { code?: unknown }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
}
