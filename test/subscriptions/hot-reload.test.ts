import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../scripts/seed/world.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { loggedTimes, replaceFile } from '../support/hot-reload.js';
import { REVIEW_ADDED, startCommerce, untilLive, type Commerce } from './commerce-processes.js';
import { collect, wsClient } from './support.js';

/**
 * Hot reload with subscriptions open: the supergraph file of a `junction
 * gateway` process is replaced by one that routes reviews to another reviews
 * process (a deploy moving it). The subscription open before keeps the
 * supergraph it started on: its events still come from the first reviews
 * subgraph, with federated fields, even once the new one is gone. A
 * subscription opened after uses the new supergraph: it ends when the new
 * reviews process is killed.
 */
const world = generateWorld({ users: 3, products: 3, reviews: 3 });
let commerce: Commerce;
let gateway: GatewayProcess;

beforeAll(async () => {
  commerce = await startCommerce(world);
  gateway = await commerce.gateway();
}, 120_000);
afterAll(() => commerce?.close());

type Event = { data?: { reviewAdded: { body: string } }; errors?: { extensions: Record<string, unknown> }[] };

describe('a supergraph file replaced with subscriptions open', () => {
  it('keeps the open subscription on the supergraph it started on; new ones use the new supergraph', { timeout: 60_000 }, async () => {
    const client = wsClient(gateway.url);
    const before = collect<Event>(client, { query: REVIEW_ADDED });
    await untilLive(() => before.results.length, () => commerce.review(gateway.url, 0, 'Before the reload.'));

    const moved = await commerce.reviews();
    await replaceFile(gateway.supergraph, commerce.withReviewsAt(moved.url), 'rename');
    await loggedTimes(gateway.running, 'supergraph reloaded', 1);

    // Written through the reloaded gateway, hence the new reviews process; heard by both subscriptions.
    const after = collect<Event>(client, { query: REVIEW_ADDED });
    await untilLive(() => after.results.length, () => commerce.review(gateway.url, 1, 'After the reload.'));
    const expected = { data: commerce.expected(1, 'After the reload.') };
    expect(after.results.at(-1)).toEqual(expected);
    await expect.poll(() => before.results.at(-1), { timeout: 10_000 }).toEqual(expected);

    // The new reviews process goes: only the subscription that runs on it ends.
    moved.running.child.kill('SIGKILL');
    expect(await after.ended).toEqual({});
    expect(after.results.at(-1)!.errors?.[0]?.extensions).toMatchObject({ code: 'SUBSCRIPTION_SOURCE_FAILED', serviceName: 'reviews' });

    // The first one still hears the first reviews subgraph (written through the stack's own gateway, in front of it).
    await commerce.review(commerce.stack.gatewayUrl, 2, 'On the old supergraph.');
    await expect.poll(() => before.results.at(-1), { timeout: 10_000 }).toEqual({ data: commerce.expected(2, 'On the old supergraph.') });
    expect(await Promise.race([before.ended, Promise.resolve('still open')])).toBe('still open');
    before.dispose();
    await client.dispose();
  });
});
