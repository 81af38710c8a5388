import { parse } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServedSupergraphs } from '#gateway/supergraph/served-supergraphs.js';
import { serveProducts, serveReviews, type ReviewsSubgraph } from '../../fixtures/subscription-subgraphs.js';
import {
  callerContext,
  composeSubscriptionSupergraph,
  eventually,
  isStream,
  nextEvent,
  REVIEW_ADDED,
  servedForSubscriptions,
  subscribe,
} from '../../support/subscriptions.js';

/**
 * Executor.subscribe over real sockets: a `reviews` subgraph serving
 * `reviewAdded` over graphql-ws, a `products` subgraph the gateway fetches
 * each event's product from, composed as `npm run compose` composes.
 */
let reviews: ReviewsSubgraph;
let products: { url: string; stop(): Promise<void> };
let supergraphSdl: string;
let served: ServedSupergraphs;

beforeAll(async () => {
  [reviews, products] = await Promise.all([serveReviews(), serveProducts('Old')]);
  supergraphSdl = await composeSubscriptionSupergraph({ reviews: reviews.url, products: products.url });
  served = servedForSubscriptions({ supergraphSdl });
});

afterEach(async () => {
  // Every test ends its subscriptions: none is left at the subgraph.
  await eventually(() => reviews.subscribers() === 0);
});

afterAll(async () => {
  served.close();
  await Promise.all([reviews.stop(), products.stop()]);
});

describe('federated events', () => {
  it('runs the rest of the plan for each event: fields from the other subgraph arrive in it', async () => {
    const stream = await subscribe(served);
    await eventually(() => reviews.subscribers() === 1);
    reviews.publish({ body: 'Sturdy', upc: 't1' });
    reviews.publish({ body: 'Wobbly', upc: 't2' });
    expect(await nextEvent(stream)).toEqual({ data: { reviewAdded: { body: 'Sturdy', product: { upc: 't1', name: 'Old t1', inStock: true } } }, errors: [] });
    expect(await nextEvent(stream)).toEqual({ data: { reviewAdded: { body: 'Wobbly', product: { upc: 't2', name: 'Old t2', inStock: true } } }, errors: [] });
    await stream.return!();
  });

  it("keeps an event's errors in that event, and the subscription going", async () => {
    const stream = await subscribe(served);
    await eventually(() => reviews.subscribers() === 1);
    reviews.publish({ body: 'Who knows', upc: 'broken' });
    const failed = await nextEvent(stream);
    expect(failed).toMatchObject({
      data: { reviewAdded: { body: 'Who knows', product: { upc: 'broken', name: 'Old broken', inStock: null } } },
      errors: [{ message: 'The stock of this product is unknown.', path: ['reviewAdded', 'product', 'inStock'], extensions: { serviceName: 'products' } }],
    });
    reviews.publish({ body: 'Fine', upc: 't1' });
    expect(await nextEvent(stream)).toMatchObject({ data: { reviewAdded: { body: 'Fine', product: { inStock: true } } }, errors: [] });
    await stream.return!();
  });

  it('unsubscribes at the subgraph when the consumer returns, even while waiting for an event', async () => {
    const stream = await subscribe(served);
    await eventually(() => reviews.subscribers() === 1);
    const waiting = stream.next();
    await stream.return!();
    expect(await waiting).toEqual({ value: undefined, done: true });
    await eventually(() => reviews.subscribers() === 0);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it("identifies the caller to the subgraph: the gateway token in connection_init's payload and on the upgrade request", async () => {
    const stream = await subscribe(served, REVIEW_ADDED, callerContext('token-of-bob'));
    await eventually(() => reviews.subscribers() === 1);
    expect(reviews.connections).toContainEqual({ params: { 'x-junction-gateway': 'token-of-bob' }, upgradeToken: 'token-of-bob' });
    // Another caller never rides on Bob's connection.
    const other = await subscribe(served, REVIEW_ADDED, callerContext('token-of-eve'));
    await eventually(() => reviews.subscribers() === 2);
    expect(reviews.connections.filter((connection) => connection.upgradeToken === 'token-of-eve')).toHaveLength(1);
    await Promise.all([stream.return!(), other.return!()]);
  });

  it('ends with a coded error naming the subgraph when the subgraph ends the subscription with an error', async () => {
    const stream = await subscribe(served);
    await eventually(() => reviews.subscribers() === 1);
    reviews.breakFeed('the feed broke');
    const last = await nextEvent(stream);
    expect(last).not.toBe('done');
    const { errors } = last as { errors: { extensions?: Record<string, unknown> }[] };
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions).toMatchObject({ serviceName: 'reviews' });
    expect(await nextEvent(stream)).toBe('done');
  });
});

describe('operations that are not subscriptions, and subscriptions not streamed', () => {
  it('answers execute() on a subscription with SUBSCRIPTION_NEEDS_STREAMING', async () => {
    const result = await served.for(null).executor.execute({ document: parse(REVIEW_ADDED), query: REVIEW_ADDED, context: callerContext() });
    expect(result).toMatchObject({ status: 400, errors: [{ extensions: { code: 'SUBSCRIPTION_NEEDS_STREAMING' } }] });
    expect(result.data).toBeUndefined();
  });

  it('answers subscribe() on a query with NOT_A_SUBSCRIPTION, and an invalid one with its validation errors', async () => {
    const query = '{ product(upc: "t1") { name } }';
    const result = await served.for(null).executor.subscribe({ document: parse(query), query, context: callerContext() });
    expect(isStream(result)).toBe(false);
    expect(result).toMatchObject({ status: 400, errors: [{ extensions: { code: 'NOT_A_SUBSCRIPTION' } }] });
    const invalid = 'subscription { reviewAdded { stars } }';
    const refused = await served.for(null).executor.subscribe({ document: parse(invalid), query: invalid, context: callerContext() });
    expect(refused).toMatchObject({ status: 400, errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
  });
});
