import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../scripts/seed/world.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { REVIEW_ADDED, startCommerce, untilLive, type Commerce } from './commerce-processes.js';
import { EVENT_STREAM, MULTIPART, openStream } from './streams.js';
import { collect, wsClient, wsUrl } from './support.js';

/**
 * SIGTERM to a `junction gateway` process with subscriptions open on each
 * protocol: every client is told the gateway is going away (graphql-ws close
 * 1001, a last SHUTTING_DOWN part for multipart, an SSE stream ended without
 * `complete`), the process exits 0 without waiting out its grace period, and
 * graphql-ws and graphql-sse clients that retry carry on at another gateway.
 */
const GRACE_MS = 10_000;
const DELAY_MS = 500;
const world = generateWorld({ users: 3, products: 3, reviews: 3 });
let commerce: Commerce;
let leaving: GatewayProcess;
let staying: GatewayProcess;

beforeAll(async () => {
  commerce = await startCommerce(world);
  const env = { SHUTDOWN_GRACE_MS: String(GRACE_MS), SHUTDOWN_DELAY_MS: String(DELAY_MS) };
  [leaving, staying] = await Promise.all([commerce.gateway({ env }), commerce.gateway({ env })]);
}, 120_000);
afterAll(() => commerce?.close());

describe('SIGTERM to a gateway process with open subscriptions', () => {
  it('tells every client it is going away, exits 0 at once, and retrying graphql-ws and graphql-sse clients reconnect elsewhere', { timeout: 60_000 }, async () => {
    // A graphql-ws client without retries sees the close itself.
    const closes: number[] = [];
    const plain = wsClient(leaving.url, { on: { closed: (event) => closes.push((event as { code: number }).code) } });
    const plainEvents = collect(plain, { query: REVIEW_ADDED });
    // One with retries, whose address moves to the other gateway once this one goes away.
    let target = leaving.url;
    const retrying = wsClient(leaving.url, {
      url: () => wsUrl(target),
      retryAttempts: 5,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 100)),
      on: { closed: () => (target = staying.url) },
    });
    const retryingEvents = collect<{ data: { reviewAdded: { body: string } } }>(retrying, { query: REVIEW_ADDED });
    // The same over graphql-sse: a stream that ends without `complete` is a dropped connection, which it retries.
    let sseTarget = leaving.url;
    const retryingSse = createSseClient({
      url: () => sseTarget,
      retryAttempts: 5,
      retry: () => new Promise((resolve) => setTimeout(resolve, 100)),
      on: { connecting: (reconnecting) => void (reconnecting && (sseTarget = staying.url)) },
    });
    const retryingSseEvents = collect<{ data: { reviewAdded: { body: string } } }>(retryingSse, { query: REVIEW_ADDED });
    const multipart = await openStream(leaving.url, MULTIPART, REVIEW_ADDED);
    const sse = await openStream(leaving.url, EVENT_STREAM, REVIEW_ADDED);
    expect([multipart.status, sse.status]).toEqual([200, 200]);

    // Every subscription is open at the subgraph: each has heard a review.
    const heardByAll = () =>
      Math.min(plainEvents.results.length, retryingEvents.results.length, retryingSseEvents.results.length, count(multipart.text(), '"payload":{'), count(sse.text(), 'event: next'));
    await untilLive(heardByAll, () => commerce.review(staying.url, 0, 'Before the shutdown.'));

    const signalled = Date.now();
    leaving.running.terminate();
    expect(await leaving.running.exited).toBe(0);
    // Nothing waited for the clients to leave on their own: that would take the whole grace period.
    expect(Date.now() - signalled).toBeLessThan(DELAY_MS + GRACE_MS / 2);
    await leaving.running.groupGone();

    expect(await plainEvents.ended).toEqual({ error: expect.objectContaining({ code: 1001, reason: 'Going away' }) });
    expect(closes).toEqual([1001]);
    const lastPart = (await multipart.ended).split('\r\n--graphql').at(-2)!;
    expect(JSON.parse(lastPart.slice(lastPart.indexOf('{')))).toEqual({
      payload: null,
      errors: [{ message: 'The gateway is shutting down: reconnect to continue the subscription.', extensions: { code: 'SHUTTING_DOWN' } }],
    });
    expect(await multipart.ended).toMatch(/\r\n--graphql--\r\n$/);
    const events = await sse.ended;
    expect(events).toContain('event: next');
    expect(events).not.toContain('event: complete');

    // The retrying clients subscribed again at the other gateway, and hear the next review there.
    const before = [retryingEvents.results.length, retryingSseEvents.results.length] as const;
    await untilLive(
      () => Math.min(retryingEvents.results.length - before[0], retryingSseEvents.results.length - before[1]),
      () => commerce.review(staying.url, 1, 'After the move.'),
    );
    for (const events of [retryingEvents, retryingSseEvents]) {
      expect(events.results.at(-1)).toEqual({ data: commerce.expected(1, 'After the move.') });
      expect(await Promise.race([events.ended, Promise.resolve('still open')])).toBe('still open');
      events.dispose();
    }
    retryingSse.dispose();
    await Promise.all([retrying.dispose(), plain.dispose()]);
  });

  it('leaves the other gateway serving new subscriptions', { timeout: 30_000 }, async () => {
    await expect(fetch(leaving.url)).rejects.toThrow();
    const client = wsClient(staying.url);
    const events = collect(client, { query: REVIEW_ADDED });
    await untilLive(() => events.results.length, () => commerce.review(staying.url, 2, 'Still here.'));
    events.dispose();
    await client.dispose();
  });
});

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
