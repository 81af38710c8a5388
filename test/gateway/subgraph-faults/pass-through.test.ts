import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_REVIEW, PRODUCTS } from '../../fixtures/fault-supergraph.js';
import { QUERY, subgraphFaultHarness } from '../../support/subgraph-fault-harness.js';

/**
 * What the gateway passes on between client and subgraph: a subgraph's own
 * GraphQL errors, with their message and code, to the client; the request id
 * and the signed gateway token, but never the client's Authorization, to the
 * subgraph. Real servers, a real gateway.
 */
const { serveProducts, stopProducts, cleanUp, startGateway, misbehaving } = subgraphFaultHarness();

beforeAll(serveProducts);
afterAll(stopProducts);
afterEach(cleanUp);

describe('what passes through', () => {
  it("a subgraph's GraphQL errors, in a 200 or a 400, keep their message and code", async () => {
    const reviews = await misbehaving('graphql-errors');
    const gateway = await startGateway({ reviewsUrl: reviews.url });
    expect(await gateway.query()).toEqual({
      data: { products: PRODUCTS, latestReview: null },
      errors: [
        {
          message: 'No review today.',
          path: ['latestReview'],
          extensions: { code: 'NOT_FOUND', serviceName: 'reviews' },
        },
      ],
    });

    reviews.mode = 'validation-400';
    const result = await gateway.query();
    expect(result.data).toEqual({ products: PRODUCTS, latestReview: null });
    expect(result.errors).toEqual([
      {
        message: 'Cannot query field "nope".',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', serviceName: 'reviews' },
      },
    ]);
  });

  it('the request id and the signed gateway token, and never the client\'s Authorization', async () => {
    const reviews = await misbehaving('ok');
    const gateway = await startGateway({ reviewsUrl: reviews.url });
    const gatewayToken = async () => 'signed.gateway.token';
    const result = await gateway.query(QUERY, { requestId: 'req-42', gatewayToken });
    expect(result).toEqual({ data: { products: PRODUCTS, latestReview: LATEST_REVIEW } });
    expect(reviews.lastHeaders).toMatchObject({
      'x-request-id': 'req-42',
      'x-junction-gateway': 'signed.gateway.token',
      'content-type': 'application/json',
    });
    expect(reviews.lastHeaders).not.toHaveProperty('authorization');
  });
});
