import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { serveProducts, serveReviews, type ReviewsSubgraph } from '../../fixtures/subscription-subgraphs.js';
import { callerContext, composeSubscriptionSupergraph, eventually, nextEvent, REVIEW_ADDED, servedForSubscriptions, subscribe } from '../../support/subscriptions.js';

/**
 * Where subscriptions come from and what happens when the source goes: a
 * subgraph killed mid-subscription, the SSE transport SUBSCRIPTION_TRANSPORTS
 * chooses, and a hot reload under an open subscription. Each over real sockets.
 */
let products: { url: string; stop(): Promise<void> };

beforeAll(async () => {
  products = await serveProducts('Old');
});

afterAll(async () => {
  await products.stop();
});

describe('a subgraph killed mid-subscription', () => {
  it('ends the subscription with SUBSCRIPTION_SOURCE_FAILED naming the subgraph, and no address in production, then completes', async () => {
    const reviews = await serveReviews();
    const served = servedForSubscriptions({
      supergraphSdl: await composeSubscriptionSupergraph({ reviews: reviews.url, products: products.url }),
      production: true,
    });
    try {
      const stream = await subscribe(served);
      await eventually(() => reviews.subscribers() === 1);
      reviews.publish({ body: 'Before', upc: 't1' });
      expect(await nextEvent(stream)).toMatchObject({ data: { reviewAdded: { body: 'Before' } } });
      await reviews.kill();
      const last = await nextEvent(stream);
      expect(last).toEqual({
        errors: [{ message: "The reviews subgraph closed the subscription's connection.", extensions: { code: 'SUBSCRIPTION_SOURCE_FAILED', serviceName: 'reviews' } }],
      });
      expect(await nextEvent(stream)).toBe('done');
      // The next subscription tries again, and is told the subgraph is unreachable: no hang either.
      const again = await subscribe(served);
      expect(await nextEvent(again)).toMatchObject({ errors: [{ extensions: { code: 'SUBSCRIPTION_SOURCE_FAILED', serviceName: 'reviews' } }] });
      expect(await nextEvent(again)).toBe('done');
    } finally {
      served.close();
    }
  });
});

describe('a subgraph that stops answering', () => {
  it('is cut off when it misses a pong: the subscription ends with SUBSCRIPTION_SOURCE_FAILED instead of waiting forever', async () => {
    // A graphql-transport-ws server that acknowledges, takes the subscription, then freezes: no events, no pongs.
    const http = createServer();
    const frozen = new WebSocketServer({ server: http, path: '/graphql' });
    const subscribed: string[] = [];
    frozen.on('connection', (socket) => {
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; id?: string };
        if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
        if (message.type === 'subscribe') subscribed.push(message.id!);
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
    const served = servedForSubscriptions({
      supergraphSdl: await composeSubscriptionSupergraph({ reviews: url, products: products.url }),
      keepAliveMs: 100,
    });
    try {
      const stream = await subscribe(served);
      await eventually(() => subscribed.length === 1);
      expect(await nextEvent(stream, 2_000)).toMatchObject({ errors: [{ extensions: { code: 'SUBSCRIPTION_SOURCE_FAILED', serviceName: 'reviews' } }] });
      expect(await nextEvent(stream)).toBe('done');
    } finally {
      served.close();
      for (const client of frozen.clients) client.terminate();
      frozen.close();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});

describe('GraphQL over SSE, chosen by SUBSCRIPTION_TRANSPORTS', () => {
  let reviews: ReviewsSubgraph;
  beforeAll(async () => {
    reviews = await serveReviews();
  });
  afterAll(async () => {
    await reviews.stop();
  });

  it('receives the same federated events, carries the caller token per subscription, and unsubscribes on return()', async () => {
    const served = servedForSubscriptions({
      supergraphSdl: await composeSubscriptionSupergraph({ reviews: reviews.url, products: products.url }),
      routes: new Map([['reviews', { protocol: 'sse', url: reviews.sseUrl }]]),
    });
    try {
      const stream = await subscribe(served, REVIEW_ADDED, callerContext('token-of-ada'));
      await eventually(() => reviews.subscribers() === 1);
      reviews.publish({ body: 'Streamed', upc: 'broken' });
      expect(await nextEvent(stream)).toMatchObject({
        data: { reviewAdded: { body: 'Streamed', product: { upc: 'broken', name: 'Old broken', inStock: null } } },
        errors: [{ path: ['reviewAdded', 'product', 'inStock'] }],
      });
      expect(reviews.sseTokens).toEqual(['token-of-ada']);
      expect(reviews.connections).toEqual([]);
      await stream.return!();
      await eventually(() => reviews.subscribers() === 0);
    } finally {
      served.close();
    }
  });
});

describe('hot reload', () => {
  it('keeps an open subscription on the supergraph it started on, and retires that one once it ends', async () => {
    const reviews = await serveReviews();
    const newProducts = await serveProducts('New');
    const served = servedForSubscriptions({
      supergraphSdl: await composeSubscriptionSupergraph({ reviews: reviews.url, products: products.url }),
      retireAfterMs: 20,
    });
    try {
      const old = await subscribe(served);
      await eventually(() => reviews.subscribers() === 1);
      // products moves: the old supergraph's products client is no longer used by the one served.
      served.serve(await composeSubscriptionSupergraph({ reviews: reviews.url, products: newProducts.url }));
      const fresh = await subscribe(served);
      await eventually(() => reviews.subscribers() === 2);
      // Well past the old supergraph's request deadline.
      await new Promise((resolve) => setTimeout(resolve, 200));
      reviews.publish({ body: 'Both', upc: 't1' });
      expect(await nextEvent(old)).toMatchObject({ data: { reviewAdded: { product: { name: 'Old t1' } } }, errors: [] });
      expect(await nextEvent(fresh)).toMatchObject({ data: { reviewAdded: { product: { name: 'New t1' } } }, errors: [] });
      const productsClients = () => [...served.dataSources()].filter((source) => source.name === 'products').length;
      expect(productsClients()).toBe(2);
      await old.return!();
      // The old supergraph's last subscription ended: its products client is retired.
      await eventually(() => productsClients() === 1);
      reviews.publish({ body: 'After', upc: 't2' });
      expect(await nextEvent(fresh)).toMatchObject({ data: { reviewAdded: { product: { name: 'New t2' } } } });
      await fresh.return!();
    } finally {
      served.close();
      await Promise.all([reviews.stop(), newProducts.stop()]);
    }
  });
});
