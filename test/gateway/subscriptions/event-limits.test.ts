import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerBudget } from '#gateway/fetch/transport.js';
import { serveProducts, serveReviews, type ReviewsSubgraph } from '../../fixtures/subscription-subgraphs.js';
import { callerContext, composeSubscriptionSupergraph, eventually, nextEvent, REVIEW_ADDED, servedForSubscriptions, subscribe } from '../../support/subscriptions.js';

/** The bounds of a subscription: each event within MAX_RESPONSE_BYTES on its own, and a bounded backlog of events. */
let reviews: ReviewsSubgraph;
let products: { url: string; stop(): Promise<void> };
let supergraphSdl: string;

beforeAll(async () => {
  [reviews, products] = await Promise.all([serveReviews(), serveProducts('Old')]);
  supergraphSdl = await composeSubscriptionSupergraph({ reviews: reviews.url, products: products.url });
});

afterAll(async () => {
  await Promise.all([reviews.stop(), products.stop()]);
});

describe('limits per event', () => {
  it("gives each event the request's MAX_RESPONSE_BYTES of its own: a large event is RESPONSE_TOO_LARGE, the next ones are not", async () => {
    const served = servedForSubscriptions({ supergraphSdl });
    try {
      const limit = 150;
      const stream = await subscribe(served, REVIEW_ADDED, callerContext('token-of-ada', { budget: new AnswerBudget(limit) }));
      await eventually(() => reviews.subscribers() === 1);
      reviews.publish({ body: 'x'.repeat(300), upc: 't1' });
      for (const body of ['short', 'brief']) reviews.publish({ body, upc: 't1' });
      expect(await nextEvent(stream)).toEqual({
        data: null,
        errors: [expect.objectContaining({ extensions: { code: 'RESPONSE_TOO_LARGE' } })],
      });
      // Were the budget the subscription's, these would be over it too.
      expect(await nextEvent(stream)).toMatchObject({ data: { reviewAdded: { body: 'short', product: { name: 'Old t1' } } }, errors: [] });
      expect(await nextEvent(stream)).toMatchObject({ data: { reviewAdded: { body: 'brief' } }, errors: [] });
      await stream.return!();
      await eventually(() => reviews.subscribers() === 0);
    } finally {
      served.close();
    }
  });

  it.each(['ws', 'sse'] as const)(
    'over %s, ends a subscription whose subgraph sends an event past SUBGRAPH_MAX_RESPONSE_BYTES, with a coded last event',
    async (protocol) => {
      const routes = protocol === 'sse' ? new Map([['reviews', { protocol, url: reviews.sseUrl }]]) : undefined;
      const served = servedForSubscriptions({ supergraphSdl, maxResponseBytes: 4_096, ...(routes ? { routes } : {}) });
      try {
        const stream = await subscribe(served);
        await eventually(() => reviews.subscribers() === 1);
        reviews.publish({ body: 'small', upc: 't1' });
        expect(await nextEvent(stream)).toMatchObject({ data: { reviewAdded: { body: 'small' } } });
        reviews.publish({ body: 'x'.repeat(10_000), upc: 't1' });
        const last = (await nextEvent(stream)) as { errors: { message: string; extensions: { code: string } }[] };
        expect(last.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBSCRIPTION_SOURCE_FAILED' }) })]);
        // Over graphql-ws, ws's maxPayload is the bound; over SSE, event-bounds.ts. Either says what passed it.
        expect(last.errors[0]!.message).toMatch(/The reviews subgraph sent an event larger than the gateway takes/);
        expect((await stream.next()).done).toBe(true);
        await eventually(() => reviews.subscribers() === 0);
      } finally {
        served.close();
      }
    },
  );

  it('ends a subscription whose consumer falls behind, past its backlog, and unsubscribes at the subgraph', async () => {
    const served = servedForSubscriptions({ supergraphSdl, maxPendingEvents: 3 });
    try {
      const stream = await subscribe(served);
      await eventually(() => reviews.subscribers() === 1);
      // The first event is pulled: the subscription is under way, and its consumer then stops reading.
      reviews.publish({ body: 'first', upc: 't1' });
      expect(await nextEvent(stream)).toMatchObject({ data: { reviewAdded: { body: 'first' } } });
      for (let index = 0; index < 10; index++) reviews.publish({ body: `backlog ${index}`, upc: 't1' });
      await eventually(() => reviews.subscribers() === 0);
      const bodies: string[] = [];
      let last: Awaited<ReturnType<typeof nextEvent>>;
      for (;;) {
        last = await nextEvent(stream);
        const body = (last as { data?: { reviewAdded?: { body: string } } }).data?.reviewAdded?.body;
        if (!body) break;
        bodies.push(body);
      }
      expect(bodies).toEqual(['backlog 0', 'backlog 1', 'backlog 2']);
      expect(last).toMatchObject({ errors: [{ extensions: { code: 'SUBSCRIPTION_SOURCE_FAILED', serviceName: 'reviews' } }] });
      expect(await nextEvent(stream)).toBe('done');
    } finally {
      served.close();
    }
  });
});
