import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import { createLogger } from '#lib/logger.js';
import { parseEnv } from '#lib/env.js';
import type { SubscriptionRoute } from '#lib/subscription-transports.js';
import { composeSupergraph } from '#tooling/supergraph.js';
import { createExecutor, type EventStream, type ExecutionResult } from '#gateway/execution/executor.js';
import { createSubgraphDataSource } from '#gateway/fetch/data-source.js';
import type { GatewayContext } from '#gateway/fetch/transport.js';
import { authorizationPolicy } from '#gateway/stages/authorization/authorization.js';
import { createCostEstimator } from '#gateway/stages/cost/cost-estimator.js';
import { createServedSupergraphs, type ServedSupergraphs } from '#gateway/supergraph/served-supergraphs.js';
import { PRODUCTS_SDL, REVIEWS_SDL } from '../fixtures/subscription-subgraphs.js';

/** The supergraph of the two subscription subgraphs at these routing URLs, composed as `npm run compose` does. */
export async function composeSubscriptionSupergraph(urls: { reviews: string; products: string }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-subscriptions-'));
  try {
    await writeFile(join(dir, 'reviews.graphql'), REVIEWS_SDL);
    await writeFile(join(dir, 'products.graphql'), PRODUCTS_SDL);
    const result = await composeSupergraph({
      federationVersion: '=2.14.4',
      subgraphs: [
        { name: 'reviews', routingUrl: urls.reviews, schema: { file: join(dir, 'reviews.graphql') } },
        { name: 'products', routingUrl: urls.products, schema: { file: join(dir, 'products.graphql') } },
      ],
    });
    if (!result.ok) throw new Error(result.problems.map((problem) => problem.message).join('\n'));
    return result.supergraphSdl;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The gateway's execution and fetch layers as server.ts wires them (served
 * supergraphs, executors, data sources with their transports), without the
 * HTTP side: what the client protocols call `subscribe` on.
 */
export function servedForSubscriptions(options: {
  supergraphSdl: string;
  routes?: ReadonlyMap<string, SubscriptionRoute>;
  retireAfterMs?: number;
  production?: boolean;
  keepAliveMs?: number;
  maxPendingEvents?: number;
  /** SUBGRAPH_MAX_RESPONSE_BYTES: each fetch's answer, and each event of a subscription. */
  maxResponseBytes?: number;
}): ServedSupergraphs {
  const parsed = parseEnv({ NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const logger = createLogger(parsed.env, 'test');
  return createServedSupergraphs({
    supergraphSdl: options.supergraphSdl,
    contracts: {},
    contractClients: new Map(),
    retireAfterMs: options.retireAfterMs ?? 60_000,
    build: (sdl, fetcher) => ({
      executor: createExecutor({ supergraphSdl: sdl, introspection: true, fetcher }),
      policy: authorizationPolicy(sdl),
      cost: createCostEstimator(sdl, { listSize: 10 }),
    }),
    dataSource: ({ name, url }) =>
      createSubgraphDataSource({
        name,
        url,
        logger,
        production: options.production ?? false,
        subscriptions: options.routes?.get(name),
        keepAliveMs: options.keepAliveMs,
        maxPendingEvents: options.maxPendingEvents,
        maxResponseBytes: options.maxResponseBytes,
      }),
  });
}

export const REVIEW_ADDED = 'subscription OnReview { reviewAdded { body product { upc name inStock } } }';

/** What a caller's request gives the executor: its id and its signed identity. */
export function callerContext(token = 'token-of-ada', extra: Partial<GatewayContext> = {}): GatewayContext {
  return { requestId: 'subscription-test', gatewayToken: async () => token, ...extra };
}

export async function subscribe(served: ServedSupergraphs, query = REVIEW_ADDED, context = callerContext()): Promise<EventStream> {
  const result = await served.for(null).executor.subscribe({ document: parse(query), query, context });
  if (!isStream(result)) throw new Error(`The subscription did not start: ${JSON.stringify(result.errors)}`);
  return result;
}

export function isStream(result: ExecutionResult | EventStream): result is EventStream {
  return Symbol.asyncIterator in result;
}

/** An event as the client would read it: data parsed, errors as JSON. */
export async function nextEvent(stream: EventStream, withinMs = 5_000): Promise<{ data?: unknown; errors: unknown[] } | 'done'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no event within ${withinMs} ms`)), withinMs)));
  try {
    const event = await Promise.race([stream.next(), timeout]);
    if (event.done) return 'done';
    const { data, errors } = event.value;
    return { ...(data === undefined ? {} : { data: JSON.parse(data) }), errors: errors.map((error) => error.toJSON()) };
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `condition` holds, polling: for what a subgraph sees after the gateway acts. */
export async function eventually(condition: () => boolean, withinMs = 5_000): Promise<void> {
  const until = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
