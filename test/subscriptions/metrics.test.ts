import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../scripts/seed/world.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { gatewayMetric, MULTIPART, readUntil, streamingPost, subscribed, writeReview } from './commerce.js';
import { collect, sseClient, wsClient } from './support.js';

/**
 * What /metrics tells an operator about subscriptions, after real ones over
 * each protocol: WebSocket connections open, subscriptions active by
 * operation and protocol, events delivered, and each event's latency; the
 * gauges back to zero once the clients leave.
 */
const world = generateWorld({ users: 3, products: 3, reviews: 6 });
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(world);
});
afterAll(() => stack?.close());

const metric = (name: string, labels: Record<string, string> = {}) => gatewayMetric(stack, name, labels);

const NEW_REVIEWS = 'subscription NewReviews { reviewAdded { body author { username } } }';
const ACTIVE = 'junction_gateway_subscriptions_active';
const EVENTS = 'junction_gateway_subscription_events_total';

describe('subscription metrics', () => {
  it('counts connections, active subscriptions and events by operation and protocol, and each event’s latency', async () => {
    expect(await metric('junction_gateway_websocket_connections')).toBe(0);
    expect(await metric(ACTIVE)).toBe(0);
    const latencyBefore = await metric('junction_gateway_subscription_event_seconds_count');

    const ws = wsClient(stack.gatewayUrl);
    const sse = sseClient(stack.gatewayUrl);
    const overWs = [collect(ws, { query: NEW_REVIEWS }), collect(ws, { query: NEW_REVIEWS })];
    const overSse = collect(sse, { query: NEW_REVIEWS });
    const multipart = await streamingPost(stack.gatewayUrl, MULTIPART, { query: NEW_REVIEWS });
    await subscribed();
    expect(await metric('junction_gateway_websocket_connections')).toBe(1);
    expect(await metric(ACTIVE, { operation: 'NewReviews', protocol: 'graphql-ws' })).toBe(2);
    expect(await metric(ACTIVE, { operation: 'NewReviews', protocol: 'sse' })).toBe(1);
    expect(await metric(ACTIVE, { operation: 'NewReviews', protocol: 'multipart' })).toBe(1);

    await writeReview(stack, world, 0, 'Counted.');
    await writeReview(stack, world, 1, 'Counted again.');
    for (const events of [...overWs, overSse]) await events.received(2);
    await readUntil(multipart.response, (text) => text.includes('Counted again.'));
    expect(await metric(EVENTS, { operation: 'NewReviews', protocol: 'graphql-ws' })).toBe(4);
    expect(await metric(EVENTS, { operation: 'NewReviews', protocol: 'sse' })).toBe(2);
    expect(await metric(EVENTS, { operation: 'NewReviews', protocol: 'multipart' })).toBe(2);
    // Every event delivered has its latency measured, from the subgraph's event to the client's socket.
    expect((await metric('junction_gateway_subscription_event_seconds_count')) - latencyBefore).toBe(8);
    expect(await metric('junction_gateway_subscription_event_seconds_sum')).toBeGreaterThan(0);

    overWs[0]!.dispose();
    await expect.poll(() => metric(ACTIVE, { operation: 'NewReviews', protocol: 'graphql-ws' })).toBe(1);
    overSse.dispose();
    multipart.abort.abort();
    await ws.dispose();
    sse.dispose();
    await expect.poll(() => metric(ACTIVE)).toBe(0);
    await expect.poll(() => metric('junction_gateway_websocket_connections')).toBe(0);
  });
});
