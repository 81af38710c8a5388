import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../scripts/seed/world.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import type { Running } from '../support/processes.js';
import { REVIEW_ADDED, startCommerce, untilLive, type Commerce } from './commerce-processes.js';
import { EVENT_STREAM, openStream } from './streams.js';
import { collect, sseClient, wsClient } from './support.js';

/**
 * Replicas: two `junction gateway` processes, each in front of its own
 * reviews subgraph (the second one a process of its own), on one database.
 * A review written through the second pair reaches the first gateway's
 * subscribers through Postgres LISTEN/NOTIFY (or the embedded database's,
 * relayed over its socket), with the fields the first gateway fetches from
 * accounts and products. Then the second reviews process is killed while a
 * client is subscribed through it: the client gets a coded error and
 * completion, with nothing of where the subgraph runs.
 */
const world = generateWorld({ users: 3, products: 3, reviews: 3 });
let commerce: Commerce;
let first: GatewayProcess;
let second: GatewayProcess;
let reviews: { running: Running; url: string };

beforeAll(async () => {
  commerce = await startCommerce(world);
  reviews = await commerce.reviews();
  [first, second] = await Promise.all([commerce.gateway(), commerce.gateway({ supergraphSdl: commerce.withReviewsAt(reviews.url) })]);
}, 120_000);
afterAll(() => commerce?.close());

describe('a review written through a second gateway and a second reviews process', () => {
  it('reaches the first gateway’s graphql-ws and graphql-sse subscribers, with fields from accounts and products', { timeout: 30_000 }, async () => {
    const ws = wsClient(first.url);
    const sse = sseClient(first.url);
    const overWs = collect(ws, { query: REVIEW_ADDED });
    const overSse = collect(sse, { query: REVIEW_ADDED });
    await untilLive(
      () => Math.min(overWs.results.length, overSse.results.length),
      () => commerce.review(second.url, 0, 'Warming up.'),
    );

    await commerce.review(second.url, 1, 'Written on the other replica.');
    const expected = { data: commerce.expected(1, 'Written on the other replica.') };
    await expect.poll(() => overWs.results.at(-1), { timeout: 10_000 }).toEqual(expected);
    await expect.poll(() => overSse.results.at(-1), { timeout: 10_000 }).toEqual(expected);
    overWs.dispose();
    overSse.dispose();
    await ws.dispose();
    sse.dispose();
  });
});

describe('the reviews subgraph killed mid-subscription', () => {
  it('ends the subscription with SUBSCRIPTION_SOURCE_FAILED and completion, naming no address', { timeout: 30_000 }, async () => {
    const ws = wsClient(second.url);
    const overWs = collect<{ data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] }>(ws, { query: REVIEW_ADDED });
    const overSse = await openStream(second.url, EVENT_STREAM, REVIEW_ADDED);
    await untilLive(
      () => Math.min(overWs.results.length, overSse.text().split('event: next').length - 1),
      () => commerce.review(first.url, 0, 'Before the crash.'),
    );

    reviews.running.child.kill('SIGKILL');
    expect(await reviews.running.exited).toBe('SIGKILL');

    // graphql-ws: a last event with the error, then complete (not a socket error: the connection to the gateway is fine).
    expect(await overWs.ended).toEqual({});
    const last = overWs.results.at(-1)!;
    expect(last.errors).toEqual([
      { message: expect.stringContaining('reviews'), extensions: { code: 'SUBSCRIPTION_SOURCE_FAILED', serviceName: 'reviews', requestId: expect.any(String) } },
    ]);
    // SSE: the same last event, then `complete`.
    const stream = await overSse.ended;
    expect(stream).toMatch(/"code":"SUBSCRIPTION_SOURCE_FAILED"[^\n]*\n\nevent: complete\n/);
    for (const text of [last.errors![0]!.message, stream]) {
      expect(text).not.toContain(new URL(reviews.url).host);
      expect(text).not.toMatch(/localhost|127\.0\.0\.1|ECONNREFUSED|ws:\/\//);
    }
    await ws.dispose();
  });

  it('refuses a new subscription with the same coded error while the subgraph is down, at once', { timeout: 30_000 }, async () => {
    const ws = wsClient(second.url);
    const events = collect<{ errors?: { extensions: Record<string, unknown> }[] }>(ws, { query: REVIEW_ADDED });
    expect(await events.ended).toEqual({});
    expect(events.results).toEqual([
      { errors: [{ message: expect.not.stringMatching(/localhost|127\.0\.0\.1/), extensions: { code: 'SUBSCRIPTION_SOURCE_FAILED', serviceName: 'reviews', requestId: expect.any(String) } }] },
    ]);
    await ws.dispose();
  });
});
