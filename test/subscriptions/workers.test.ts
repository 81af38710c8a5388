import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../scripts/seed/world.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { REVIEW_ADDED, startCommerce, untilLive, type Commerce } from './commerce-processes.js';
import { collect, wsClient } from './support.js';

/**
 * `junction gateway --workers 2` with graphql-ws subscriptions: the primary
 * hands each WebSocket connection to a worker, and every connection, whichever
 * worker holds it, hears the events. Workers share the API keys' database,
 * so this needs Postgres (test/gateway/workers.test.ts).
 */
const CONNECTIONS = 6;
const world = generateWorld({ users: 3, products: 3, reviews: 3 });

describe.runIf(process.env.DATABASE_URL)('subscriptions on junction gateway --workers 2', () => {
  let commerce: Commerce;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    commerce = await startCommerce(world);
    gateway = await commerce.gateway({ args: ['--workers', '2'] });
  }, 120_000);
  afterAll(() => commerce?.close());

  it('delivers every event to each of several connections, spread over the workers', { timeout: 30_000 }, async () => {
    // Each worker logs that it is ready (its lines may reach the pipe after the primary's).
    await expect.poll(() => gateway.running.output().match(/"msg":"worker ready"/g)?.length ?? 0, { timeout: 20_000 }).toBe(2);
    const clients = Array.from({ length: CONNECTIONS }, () => wsClient(gateway.url));
    const subscriptions = clients.map((client) => collect(client, { query: REVIEW_ADDED }));
    await untilLive(() => Math.min(...subscriptions.map((events) => events.results.length)), () => commerce.review(gateway.url, 0, 'Warming up.'));
    // Both workers hold some of the connections (the primary hands them round-robin).
    expect(new Set(holders(new URL(gateway.url).port)).size).toBe(2);

    await commerce.review(gateway.url, 1, 'To every worker.');
    const expected = { data: commerce.expected(1, 'To every worker.') };
    for (const events of subscriptions) await expect.poll(() => events.results.at(-1), { timeout: 10_000 }).toEqual(expected);

    for (const events of subscriptions) events.dispose();
    await Promise.all(clients.map((client) => client.dispose()));
  });
});

/** The processes holding the established connections to `port` on this machine, one entry per connection (ss, iproute2). */
function holders(port: string): number[] {
  const table = execFileSync('ss', ['-tnpH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
  return [...table.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1]));
}
