import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '#lib/db.js';
import { type Env } from '#lib/env.js';
import { GATEWAY_HEADER, signGatewayToken, type Identity } from '#lib/identity.js';
import { createLogger } from '#lib/logger.js';
import { migrateAll } from '#lib/migrate.js';
import { serveSubgraph, type ServedSubgraph } from '#lib/subgraph/subgraph-server.js';
import { readSupergraphConfig } from '#tooling/supergraph.js';
import { sql } from 'drizzle-orm';
import { loadWorld } from '../../scripts/seed/load.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { startStack, type Stack } from '../../scripts/stack.js';
import { stockChanged } from '../../subgraphs/inventory/src/events.js';
import { createSubgraph as createInventory } from '../../subgraphs/inventory/src/server.js';
import { createSubgraph as createReviews } from '../../subgraphs/reviews/src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { post } from '../support/graphql.js';
import { testEnv } from '../support/stack.js';
import { Events, subgraphClient, whenLive } from '../support/subgraph-subscriptions.js';

/**
 * Subgraphs serve subscriptions over graphql-ws, fed by LISTEN/NOTIFY: on the
 * real Postgres, and on the embedded database, which this process holds and
 * serves to a second reviews replica over its socket, as npm start does.
 */
const world = generateWorld({ users: 5, products: 5, reviews: 5 });
const [first, second] = world.products.map((product) => product.upc) as [string, string];
const reviewer: Identity = { kind: 'user', subject: String(world.users[0]!.id), scopes: [] };
const stockKeeper: Identity = { kind: 'user', subject: String(world.users[1]!.id), scopes: ['write:inventory'] };

let database: TestDatabase;
let stack: Stack;
let env: Env;
/** A second reviews replica on the same database, in its own handle: through the socket on the embedded one. */
let replica: { handle: DatabaseHandle; served: ServedSubgraph };

const REVIEW_ADDED = 'subscription($upc: String) { reviewAdded(upc: $upc) { id body rating product { upc } } }';
const CREATE_REVIEW = 'mutation($input: CreateReviewInput!) { createReview(input: $input) { id } }';

const token = (identity: Identity | null) => signGatewayToken(identity, env.GATEWAY_SECRET);
const urlOf = (name: 'reviews' | 'inventory') => stack.subgraphs[name]!.url;

/** Writes a review through `url` (a reviews subgraph) over HTTP, as the gateway would; its id. */
async function writeReview(url: string, upc: string, body = `Review of ${upc}`): Promise<string> {
  const written = await post<{ createReview: { id: string } }>(url, CREATE_REVIEW, { input: { upc, rating: 4, body } }, {
    [GATEWAY_HEADER]: await token(reviewer),
  });
  expect(written.errors).toBeUndefined();
  return written.data!.createReview.id;
}

beforeAll(async () => {
  database = await createTestDatabase({ shared: true });
  env = testEnv();
  await migrateAll(database.db);
  await loadWorld(database.db, world);
  const logger = createLogger(env, 'test');
  stack = await startStack({ db: database.db, env, logger, config: await readSupergraphConfig('supergraph.yaml', {}), ports: 'ephemeral', gatewayPort: 0 });
  const handle = await openDatabase(database.url ? { url: database.url } : { dataDir: join(database.dataDir!, 'pglite'), embedded: 'use' });
  const peers = { ...env, ACCOUNTS_URL: stack.subgraphs.accounts!.url, PRODUCTS_URL: stack.subgraphs.products!.url };
  const served = await serveSubgraph(createReviews({ db: handle.db, env: peers, logger }), { logger, secret: env.GATEWAY_SECRET, production: false });
  replica = { handle, served };
}, 60_000);

afterAll(async () => {
  await replica?.served.stop();
  await replica?.handle.close();
  await stack?.stop();
  await database?.close();
});

describe('Subscription.reviewAdded', () => {
  it('sends every new review to a subscriber without `upc`, and only one product\'s to a subscriber with it', async () => {
    const client = subgraphClient(urlOf('reviews'), await token(null));
    try {
      const all = new Events(client, REVIEW_ADDED);
      const one = new Events(client, REVIEW_ADDED, { upc: second });
      await whenLive(all, () => writeReview(urlOf('reviews'), first));
      await whenLive(one, () => writeReview(urlOf('reviews'), second));
      all.received.length = 0;

      const ofFirst = await writeReview(urlOf('reviews'), first, 'Sturdy.');
      const ofSecond = await writeReview(urlOf('reviews'), second, 'Flimsy.');

      expect(await all.until(2)).toEqual([
        { data: { reviewAdded: { id: ofFirst, body: 'Sturdy.', rating: 4, product: { upc: first } } } },
        { data: { reviewAdded: { id: ofSecond, body: 'Flimsy.', rating: 4, product: { upc: second } } } },
      ]);
      expect(await one.until(2, 500)).toEqual([{ data: { reviewAdded: { id: ofSecond, body: 'Flimsy.', rating: 4, product: { upc: second } } } }]);
    } finally {
      await client.dispose();
    }
  });

  it('reaches the subscribers of the other replica, whichever replica the review was written through', async () => {
    const client = subgraphClient(urlOf('reviews'), await token(null));
    const replicaClient = subgraphClient(replica.served.url, await token(null));
    try {
      const here = new Events(client, REVIEW_ADDED, { upc: first });
      const there = new Events(replicaClient, REVIEW_ADDED, { upc: first });
      await whenLive(here, () => writeReview(replica.served.url, first));
      await whenLive(there, () => writeReview(urlOf('reviews'), first));
      here.received.length = 0;

      const throughReplica = await writeReview(replica.served.url, first, 'Written on the replica.');
      const throughFirst = await writeReview(urlOf('reviews'), first, 'Written on the first.');

      const expected = [
        { data: { reviewAdded: { id: throughReplica, body: 'Written on the replica.', rating: 4, product: { upc: first } } } },
        { data: { reviewAdded: { id: throughFirst, body: 'Written on the first.', rating: 4, product: { upc: first } } } },
      ];
      expect(await here.until(2)).toEqual(expected);
      expect(await there.until(2)).toEqual(expected);
    } finally {
      await Promise.all([client.dispose(), replicaClient.dispose()]);
    }
  });
});

describe('Subscription.stockChanged', () => {
  it('sends the product with its new stock after each restock of it', async () => {
    const restock = async (upc: string, quantity: number) => {
      const answer = await post(urlOf('inventory'), 'mutation($upc: String!, $quantity: Int!) { restock(upc: $upc, quantity: $quantity) { quantity } }', { upc, quantity }, {
        [GATEWAY_HEADER]: await token(stockKeeper),
      });
      expect(answer.errors).toBeUndefined();
    };
    const client = subgraphClient(urlOf('inventory'), await token(null));
    try {
      const events = new Events(client, 'subscription($upc: String!) { stockChanged(upc: $upc) { upc quantity inStock } }', { upc: first });
      await whenLive(events, () => restock(first, 1));
      const before = world.stock.find((row) => row.upc === first)?.quantity ?? 0;
      const { quantity: now } = (await post<{ _entities: { quantity: number }[] }>(urlOf('inventory'), 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { quantity } } }', { r: [{ __typename: 'Product', upc: first }] }, { [GATEWAY_HEADER]: await token(null) })).data!._entities[0]!;
      expect(now).toBeGreaterThan(before);

      await restock(second, 5);
      await restock(first, 7);

      expect(await events.until(2, 500)).toEqual([{ data: { stockChanged: { upc: first, quantity: now + 7, inStock: true } } }]);
    } finally {
      await client.dispose();
    }
  });
});

describe('an event that fails to resolve', () => {
  it('answers, in production, a bare INTERNAL_SERVER_ERROR: no SQL, and the subscription goes on', async () => {
    const logger = createLogger(env, 'test');
    const peers = { ...env, PRODUCTS_URL: stack.subgraphs.products!.url };
    const served = await serveSubgraph(createInventory({ db: database.db, env: peers, logger }), { logger, secret: env.GATEWAY_SECRET, production: true });
    const client = subgraphClient(served.url, await token(null));
    try {
      const events = new Events(client, 'subscription($upc: String!) { stockChanged(upc: $upc) { upc quantity } }', { upc: second });
      // Published as restock does, straight on the channel: the test needs no mutation to break.
      await whenLive(events, () => stockChanged.publish(database.db, { upc: second }));
      await database.db.execute(sql`alter table inventory.stock rename to stock_away`);
      try {
        await stockChanged.publish(database.db, { upc: second });
        expect(await events.until(1)).toEqual([
          { data: null, errors: [{ message: 'Internal server error', locations: [{ line: 1, column: 31 }], path: ['stockChanged'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
        ]);
      } finally {
        await database.db.execute(sql`alter table inventory.stock_away rename to stock`);
      }
      await stockChanged.publish(database.db, { upc: second });
      expect((await events.until(2))[1]).toEqual({ data: { stockChanged: { upc: second, quantity: expect.any(Number) } } });
    } finally {
      await client.dispose();
      await served.stop();
    }
  });
});

describe('connecting', () => {
  it.each([
    ['a forged token', 'not-a-token'],
    ['no token', undefined],
  ])('with %s is refused with 4403', async (_case, credential) => {
    let closed: number | undefined;
    const client = subgraphClient(urlOf('reviews'), credential, (code) => (closed ??= code));
    const events = new Events(client, REVIEW_ADDED);
    expect(await events.end()).toEqual({ error: expect.objectContaining({ code: 4403 }) });
    expect(closed).toBe(4403);
    await client.dispose();
  });

  it('takes the token in the upgrade request\'s header too, and refuses queries: they go over HTTP', async () => {
    const { createClient } = await import('graphql-ws');
    const { default: WebSocket } = await import('ws');
    const signed = await token(null);
    class WithHeader extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { [GATEWAY_HEADER]: signed } });
      }
    }
    const client = createClient({ url: urlOf('reviews').replace(/^http/, 'ws'), webSocketImpl: WithHeader, retryAttempts: 0 });
    try {
      const query = new Events(client, '{ review(id: "1") { id } }');
      expect(await query.end()).toEqual({ error: [expect.objectContaining({ extensions: { code: 'BAD_REQUEST' } })] });
      const events = new Events(client, REVIEW_ADDED);
      await whenLive(events, () => writeReview(urlOf('reviews'), first));
    } finally {
      await client.dispose();
    }
  });
});

describe('stopping', () => {
  it('completes open subscriptions with 1001 "Going away" and does not wait for them', async () => {
    const logger = createLogger(env, 'test');
    const peers = { ...env, ACCOUNTS_URL: stack.subgraphs.accounts!.url, PRODUCTS_URL: stack.subgraphs.products!.url };
    const served = await serveSubgraph(createReviews({ db: database.db, env: peers, logger }), { logger, secret: env.GATEWAY_SECRET, production: false });
    let closed: number | undefined;
    const client = subgraphClient(served.url, await token(null), (code) => (closed ??= code));
    const events = new Events(client, REVIEW_ADDED);
    await whenLive(events, () => writeReview(served.url, first));

    const started = Date.now();
    await served.stop(5_000);

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await events.end()).toEqual({ error: expect.objectContaining({ code: 1001, reason: 'Going away' }) });
    expect(closed).toBe(1001);
    await client.dispose();
  });
});
