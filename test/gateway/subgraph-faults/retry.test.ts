import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_REVIEW, PRODUCTS } from '../../fixtures/fault-supergraph.js';
import { expectReviewsFailed, subgraphFaultHarness } from '../../support/subgraph-fault-harness.js';

/**
 * When the connection to a subgraph breaks before it answers, the gateway
 * tries a query once more, but never a mutation (it may have run), and not at
 * all when retry is off. Real servers, a real gateway.
 */
const { serveProducts, stopProducts, cleanUp, startGateway, misbehaving } = subgraphFaultHarness();

beforeAll(serveProducts);
afterAll(stopProducts);
afterEach(cleanUp);

describe('retry', () => {
  it('retries a query once when the connection breaks before any answer', async () => {
    const reviews = await misbehaving('drop-first');
    const gateway = await startGateway({ reviewsUrl: reviews.url });
    expect(await gateway.query()).toEqual({ data: { products: PRODUCTS, latestReview: LATEST_REVIEW } });
    expect(reviews.requests).toBe(2);
    expect(gateway.logs.some((line) => line.msg === 'subgraph fetch retried')).toBe(true);
  });

  it('never retries a mutation: it may have run', async () => {
    const reviews = await misbehaving('drop-first');
    const gateway = await startGateway({ reviewsUrl: reviews.url });
    const result = await gateway.query('mutation { addReview(body: "Nice") { body } }');
    expect(result.data).toEqual({ addReview: null });
    expect(result.errors).toEqual([
      {
        message: 'The reviews subgraph is unreachable.',
        extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' },
      },
    ]);
    expect(reviews.requests).toBe(1);
  });

  it('does not retry when retry is off', async () => {
    const reviews = await misbehaving('drop-first');
    const gateway = await startGateway({ reviewsUrl: reviews.url, retry: false });
    expectReviewsFailed(await gateway.query(), 'The reviews subgraph is unreachable.', reviews.port);
    expect(reviews.requests).toBe(1);
  });
});
