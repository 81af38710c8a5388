import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { createApiKey } from '#gateway/stages/identify/api-keys.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { gatewayMetric, SSE, streamingPost, subscribed, upstreamSockets, writeReview } from './commerce.js';
import { collect, rawSocket, wsClient } from './support.js';

/**
 * What one client may hold open, and what happens to one that cannot keep
 * up: SUBSCRIPTIONS_PER_CONNECTION and SUBSCRIPTIONS_PER_CLIENT refuse one
 * more with SUBSCRIPTION_LIMIT_REACHED and leave the others running, a
 * completed subscription frees its slot, and a consumer that stops reading is
 * closed (4008, or a last SUBSCRIPTION_CONSUMER_TOO_SLOW over SSE) with its
 * subscription ended at the subgraph, without stalling anyone sharing it.
 */
const world = generateWorld({ users: 3, products: 3, reviews: 6 });
let stack: TestStack;
let reviewSockets: { readonly open: number };
const keys: Record<'connection' | 'client' | 'slow' | 'sharing' | 'sse', string> = { connection: '', client: '', slow: '', sharing: '', sse: '' };

beforeAll(async () => {
  stack = await startTestStack(world, { SUBSCRIPTIONS_PER_CONNECTION: '2', SUBSCRIPTIONS_PER_CLIENT: '3', SUBSCRIPTION_QUEUE_SIZE: '2', MAX_ALIASES: '100' });
  reviewSockets = upstreamSockets(stack, 'reviews');
  // A client each, so that each scenario has its own SUBSCRIPTIONS_PER_CLIENT count.
  for (const name of Object.keys(keys) as (keyof typeof keys)[]) keys[name] = (await createApiKey(stack.database.db, { name, client: name, scopes: [] })).key;
});
afterAll(() => stack?.close());

const BODIES = 'subscription { reviewAdded { body } }';
const limitReached = [expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBSCRIPTION_LIMIT_REACHED' }) })];

describe('subscriptions per connection and per client', () => {
  it('refuses one more than SUBSCRIPTIONS_PER_CONNECTION with an error message; the others run on, and a completed one frees its place', async () => {
    const client = wsClient(stack.gatewayUrl, { connectionParams: { 'x-api-key': keys.connection } });
    const open = [collect(client, { query: BODIES }), collect(client, { query: 'subscription { reviewAdded { rating } }' })];
    const third = collect(client, { query: 'subscription { reviewAdded { id } }' });
    expect(await third.ended).toEqual({ error: limitReached });
    await subscribed();
    await writeReview(stack, world, 0, 'Still running.');
    expect(await open[0]!.received(1)).toEqual([{ data: { reviewAdded: { body: 'Still running.' } } }]);
    expect(await open[1]!.received(1)).toEqual([{ data: { reviewAdded: { rating: 4 } } }]);
    open[1]!.dispose();
    const again = collect(client, { query: 'subscription { reviewAdded { id } }' });
    await subscribed();
    const id = await writeReview(stack, world, 1, 'In the freed place.');
    expect(await again.received(1)).toEqual([{ data: { reviewAdded: { id } } }]);
    expect((await open[0]!.received(2))[1]).toEqual({ data: { reviewAdded: { body: 'In the freed place.' } } });
    await client.dispose();
  });

  it('counts SUBSCRIPTIONS_PER_CLIENT across the connections of one API key and over SSE (429), and frees a slot at completion', async () => {
    const connectionParams = { 'x-api-key': keys.client };
    const [first, second] = [wsClient(stack.gatewayUrl, { connectionParams }), wsClient(stack.gatewayUrl, { connectionParams })];
    const running = [collect(first, { query: BODIES }), collect(first, { query: BODIES }), collect(second, { query: BODIES })];
    await subscribed();
    const fourth = collect(second, { query: BODIES });
    expect(await fourth.ended).toEqual({ error: limitReached });
    const overSse = await streamingPost(stack.gatewayUrl, SSE, { query: BODIES }, connectionParams);
    expect(overSse.response.status).toBe(429);
    // The refusal keeps its status, and comes as graphql-sse's server sends errors: a next event, then complete.
    const [next] = (await overSse.response.text()).split('\n\n');
    expect(JSON.parse(next!.replace(/^event: next\ndata: /, ''))).toEqual({ errors: limitReached });
    // Another client is not counted with this one.
    const other = await streamingPost(stack.gatewayUrl, SSE, { query: BODIES }, { 'x-api-key': keys.sse });
    expect(other.response.status).toBe(200);
    other.abort.abort();

    await writeReview(stack, world, 2, 'Three of three.');
    for (const events of running) expect(await events.received(1)).toEqual([{ data: { reviewAdded: { body: 'Three of three.' } } }]);
    running[0]!.dispose();
    // The client's complete message frees the slot as soon as the gateway reads it.
    await expect.poll(async () => {
      const attempt = await streamingPost(stack.gatewayUrl, SSE, { query: BODIES }, connectionParams);
      attempt.abort.abort();
      return attempt.response.status;
    }).toBe(200);
    await Promise.all([first.dispose(), second.dispose()]);
  });
});

/** Events of about half a megabyte each: a paused client's socket buffers fill after a few of them. */
const HEAVY = `subscription { reviewAdded { ${Array.from({ length: 100 }, (_, index) => `b${index}: body`).join(' ')} } }`;
const heavyBody = (index: number) => `${index} `.padEnd(5_000, 'x');

/** A graphql-ws connection that identifies with `key`, subscribes to HEAVY, then stops reading until `resume()`. */
async function pausable(key: string) {
  const raw = rawSocket(stack.gatewayUrl);
  await raw.opened;
  raw.send({ type: 'connection_init', payload: { 'x-api-key': key } });
  await expect.poll(() => raw.messages).toEqual([{ type: 'connection_ack' }]);
  raw.send({ id: 'heavy', type: 'subscribe', payload: { query: HEAVY } });
  raw.messages.length = 0;
  const socket = (raw.socket as WebSocket & { _socket: NodeJS.ReadableStream })._socket;
  socket.pause();
  return { ...raw, resume: () => socket.resume() };
}

/** Waits until the gateway holds no connection to reviews (those of earlier scenarios closed); returns that none. */
async function quiet(): Promise<number> {
  await expect.poll(() => reviewSockets.open).toBe(0);
  return 0;
}

describe('a consumer that stops reading', () => {
  it('over graphql-ws is closed 4008, and its subscription ends at the subgraph', async () => {
    const before = await quiet();
    const slow = await pausable(keys.slow);
    const written = await fillUntilLetGo(before, 0);
    slow.resume();
    expect(await slow.closed).toEqual({ code: 4008, reason: 'Slow consumer: events waited past SUBSCRIPTION_QUEUE_SIZE' });
    expect(slow.messages.length).toBeLessThan(written);
    expect(slow.messages.every((message) => message.type === 'next')).toBe(true);
  }, 60_000);

  it('does not stall a client that shares its subscription: that one gets every event', async () => {
    const before = await quiet();
    const slow = await pausable(keys.sharing);
    const client = wsClient(stack.gatewayUrl, { connectionParams: { 'x-api-key': keys.sharing } });
    const healthy = collect<{ data: { reviewAdded: Record<string, string> } }>(client, { query: HEAVY });
    await subscribed();
    // Same caller, same operation: one subscription at the subgraph, whose events both get (shared-subscriptions.ts).
    expect(reviewSockets.open).toBe(before + 1);
    const count = 30;
    for (let index = 0; index < count; index++) await writeReview(stack, world, 1, heavyBody(index));
    const received = await healthy.received(count, 30_000);
    expect(received.map((event) => event.data.reviewAdded.b99)).toEqual(Array.from({ length: count }, (_, index) => heavyBody(index)));
    slow.resume();
    // Closed 4008; or, if the healthy one's events took longer than the grace to arrive, cut without a close frame.
    expect([4008, 1006]).toContain((await slow.closed).code);
    expect(slow.messages.length).toBeLessThan(count);
    expect(reviewSockets.open).toBe(before + 1);
    await client.dispose();
    await expect.poll(() => reviewSockets.open).toBe(before);
  }, 60_000);

  it('over SSE gets a last SUBSCRIPTION_CONSUMER_TOO_SLOW event, and its subscription ends at the subgraph', async () => {
    const before = await quiet();
    const response = await pausedSse(keys.sse);
    const written = await fillUntilLetGo(before, 2);
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (text += chunk));
    response.resume();
    await new Promise((resolve) => response.once('end', resolve));
    const events = text.split('\n\n').filter((event) => event.startsWith('event: '));
    expect(events.length).toBeLessThan(written + 2);
    expect(events.at(-1)).toBe('event: complete\ndata:');
    expect(JSON.parse(events.at(-2)!.replace(/^event: next\ndata: /, ''))).toEqual({
      errors: [{ message: expect.stringContaining('slower than they came'), extensions: { code: 'SUBSCRIPTION_CONSUMER_TOO_SLOW' } }],
    });
  }, 60_000);

  it('that never reads again is let go within seconds, over graphql-ws and SSE: its connection and its place among the active', async () => {
    const before = await quiet();
    const slow = await pausable(keys.slow);
    const response = await pausedSse(keys.sse);
    await fillUntilLetGo(before, 0);
    // Neither client reads again: the gateway does not keep their sockets, buffers and gauges until they do.
    await expect.poll(() => gatewayMetric(stack, 'junction_gateway_subscriptions_active'), { timeout: 15_000, interval: 500 }).toBe(0);
    await expect.poll(() => gatewayMetric(stack, 'junction_gateway_websocket_connections'), { timeout: 15_000, interval: 500 }).toBe(0);
    slow.socket.terminate();
    response.destroy();
  }, 60_000);
});

/** An SSE subscription to HEAVY with `key`, over a plain HTTP request whose response the test has stopped reading. */
async function pausedSse(key: string): Promise<IncomingMessage> {
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const sent = request(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: SSE, 'x-api-key': key } }, resolve);
    sent.once('error', reject);
    sent.end(JSON.stringify({ query: HEAVY }));
  });
  expect(response.statusCode).toBe(200);
  response.pause();
  return response;
}

/**
 * Writes heavy reviews of the `productIndex`th product until the gateway lets
 * go of the subgraph (the paused consumers were ended); far fewer than the
 * bound fill every buffer on the way. Returns how many were written.
 */
async function fillUntilLetGo(before: number, productIndex: number): Promise<number> {
  await subscribed();
  expect(reviewSockets.open).toBeGreaterThan(before);
  let written = 0;
  while (reviewSockets.open > before && written < 80) await writeReview(stack, world, productIndex, heavyBody(written++));
  await expect.poll(() => reviewSockets.open).toBe(before);
  return written;
}
