import type { GraphQLFormattedError } from 'graphql';
import { SubgraphTransportError } from '#gateway/fetch/subgraph-transport-error.js';
import type { GatewayContext, SubgraphFetchRequest, SubgraphResponse } from '#gateway/fetch/transport.js';

/**
 * What the subscription transports (ws/, sse/) share: their shape, their
 * options, and how a subgraph's events and failures are told to the executor.
 */
export type SubscriptionTransport = {
  readonly name: string;
  subscribe(request: SubgraphFetchRequest, context: GatewayContext): AsyncIterableIterator<SubgraphResponse>;
  /** Subscriptions open now (hot reload keeps a retired transport until they end). */
  readonly open: number;
  /** Closes every connection at once. */
  close(): void;
  /** After `afterMs`, closes each connection once its subscriptions have ended. */
  retire(afterMs: number): void;
};

export type SubscriptionTransportOptions = {
  name: string;
  /** ws(s):// for graphql-ws, http(s):// for SSE. */
  url: string;
  /** Production keeps addresses and network errors out of client messages. */
  production: boolean;
  /** A larger event fails the subscription (SUBGRAPH_MAX_RESPONSE_BYTES). */
  maxEventBytes: number;
  /** Events kept for a consumer that falls behind, before its subscription fails. */
  maxPendingEvents: number;
  /** graphql-ws pings this often, so an idle connection through proxies stays open. */
  keepAliveMs: number;
};

export const SUBSCRIPTION_DEFAULTS = { maxPendingEvents: 1_000, keepAliveMs: 12_000 } as const;

/** A subgraph's routing URL as the WebSocket URL graphql-ws connects to: http becomes ws, https wss. */
export function websocketUrl(url: string): string {
  return url.replace(/^http(s?):/i, 'ws$1:');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An event as the client library hands it, as the executor reads a fetch's
 * answer. Events are JSON the library parsed: what is not an object of the
 * expected shape is kept out, never trusted into the response tree.
 */
export function toSubgraphResponse(value: unknown): SubgraphResponse {
  if (!isObject(value)) return { errors: [{ message: 'The subgraph sent an event that is not a GraphQL result.' }] };
  const response: SubgraphResponse = {};
  if (isObject(value.data) || value.data === null) response.data = value.data;
  if (Array.isArray(value.errors)) response.errors = value.errors.filter(isObject) as unknown as GraphQLFormattedError[];
  if (response.data === undefined && response.errors === undefined) {
    return { errors: [{ message: 'The subgraph sent an event that is not a GraphQL result.' }] };
  }
  return response;
}

/** How a subscription to a subgraph failed: its connection (never opened or lost), an event too large, or the consumer fell behind. */
export function subscriptionFailure(
  options: SubscriptionTransportOptions,
  kind: 'lost' | 'refused' | 'overflow' | 'event-too-large',
  cause?: unknown,
): SubgraphTransportError {
  const subgraph = `The ${options.name} subgraph`;
  const closeCode = isObject(cause) && typeof cause.code === 'number' ? cause.code : undefined;
  const reason = isObject(cause) && typeof cause.reason === 'string' && cause.reason ? cause.reason : undefined;
  const detail = closeCode !== undefined ? `connection closed with code ${closeCode}${reason ? ` (${reason})` : ''}` : describe(cause);
  const where = options.production ? '' : ` Detail: ${options.url}: ${detail}.`;
  if (kind === 'event-too-large') {
    return new SubgraphTransportError(options.name, 'too-large', `${subgraph} sent an event larger than the gateway takes: the subscription was ended.`, {
      attempts: 1,
      detail: `an event over ${options.maxEventBytes} bytes (SUBGRAPH_MAX_RESPONSE_BYTES)`,
    });
  }
  if (kind === 'overflow') {
    return new SubgraphTransportError(options.name, 'too-large', `${subgraph}'s events came faster than they were delivered: the subscription was ended.`, {
      attempts: 1,
      detail: `more than ${options.maxPendingEvents} events pending`,
    });
  }
  const message =
    kind === 'refused'
      ? `${subgraph} refused the subscription.${where}`
      : closeCode === undefined
        ? `${subgraph} is unreachable for subscriptions.${where}`
        : `${subgraph} closed the subscription's connection.${where}`;
  return new SubgraphTransportError(options.name, closeCode === undefined && kind === 'lost' ? 'unreachable' : 'interrupted', message, {
    attempts: 1,
    detail,
    cause,
  });
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  if (isObject(cause) && typeof cause.message === 'string') return cause.message;
  if (isObject(cause) && cause.error instanceof Error) return cause.error.message;
  return String(cause);
}
