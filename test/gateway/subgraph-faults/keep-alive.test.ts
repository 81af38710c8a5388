import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_REVIEW, PRODUCTS } from '../../fixtures/fault-supergraph.js';
import { subgraphFaultHarness } from '../../support/subgraph-fault-harness.js';

/**
 * The gateway keeps its connections to a subgraph alive: many fetches in a
 * row share a couple of connections instead of opening one each. Real
 * servers, a real gateway.
 */
const { serveProducts, stopProducts, cleanUp, startGateway, misbehaving } = subgraphFaultHarness();

beforeAll(serveProducts);
afterAll(stopProducts);
afterEach(cleanUp);

describe('keep-alive', () => {
  it('reuses its connections for many sequential fetches', async () => {
    const reviews = await misbehaving('ok');
    const gateway = await startGateway({ reviewsUrl: reviews.url });
    for (let i = 0; i < 20; i++) {
      expect(await gateway.query()).toEqual({ data: { products: PRODUCTS, latestReview: LATEST_REVIEW } });
    }
    expect(reviews.requests).toBe(20);
    // undici frees a connection one event-loop turn after its answer (in case the server closes it
    // after all), so a fetch made at once takes a second one; from then on the two are reused.
    expect(reviews.connections).toBeLessThanOrEqual(2);
  });
});
