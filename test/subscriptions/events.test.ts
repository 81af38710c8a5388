import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../scripts/seed/world.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { collect, sseClient, wsClient } from './support.js';

/**
 * `reviewAdded` through the gateway, with the ecosystem's clients on each
 * protocol: graphql-ws, graphql-sse, and Apollo Client 4's multipart HTTP
 * subscriptions. Each event carries fields from the four subgraphs: the
 * review (reviews), its author (accounts), its product's name (products) and
 * stock (inventory), the rest of the plan run by the gateway for each event.
 */
const world = generateWorld({ users: 5, products: 5, reviews: 10 });
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(world);
});
afterAll(() => stack?.close());

const REVIEW_ADDED = 'subscription($upc: String) { reviewAdded(upc: $upc) { body author { username } product { upc name inStock } } }';

/** Writes a review through the gateway, as the signed-in `userIndex`th user. */
async function review(productIndex: number, body: string, userIndex = 0) {
  const product = world.products[productIndex]!;
  const headers = await stack.signIn(Number(world.users[userIndex]!.id));
  const result = await stack.query(
    'mutation($input: CreateReviewInput!) { createReview(input: $input) { id } }',
    { input: { upc: product.upc, rating: 4, body } },
    headers,
  );
  expect(result.errors).toBeUndefined();
  return product;
}

/** What the event for a review of `productIndex` by the first user must be: each field as a query reads it. */
async function expected(productIndex: number, body: string) {
  const product = world.products[productIndex]!;
  const now = await stack.query<{ product: { upc: string; name: string; inStock: boolean } }>('query($upc: String!) { product(upc: $upc) { upc name inStock } }', {
    upc: product.upc,
  });
  return { reviewAdded: { body, author: { username: world.users[0]!.username }, product: now.data!.product } };
}

/** Waits until the gateway has the subscription open at the subgraph, so that the mutation after it is seen. */
async function subscribed(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
}

describe('reviewAdded with fields from four subgraphs', () => {
  it('reaches a graphql-ws client after createReview is sent through the gateway', async () => {
    const client = wsClient(stack.gatewayUrl);
    const events = collect(client, { query: REVIEW_ADDED });
    await subscribed();
    await review(0, 'Over WebSocket.');
    const [event] = await events.received(1);
    expect(event).toEqual({ data: await expected(0, 'Over WebSocket.') });
    events.dispose();
    await client.dispose();
  });

  it('reaches a graphql-sse client the same way', async () => {
    const client = sseClient(stack.gatewayUrl);
    const events = collect(client, { query: REVIEW_ADDED });
    await subscribed();
    await review(1, 'Over SSE.');
    const [event] = await events.received(1);
    expect(event).toEqual({ data: await expected(1, 'Over SSE.') });
    events.dispose();
    client.dispose();
  });

  it('reaches Apollo Client 4 over multipart HTTP (subscriptionSpec=1.0)', async () => {
    const apollo = new ApolloClient({ link: new HttpLink({ uri: stack.gatewayUrl }), cache: new InMemoryCache() });
    const received: unknown[] = [];
    const subscription = apollo.subscribe({ query: gql(REVIEW_ADDED) }).subscribe({ next: (result) => received.push(result.data) });
    await subscribed();
    await review(2, 'Over multipart.');
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
    const want = await expected(2, 'Over multipart.');
    expect(received[0]).toEqual({
      reviewAdded: {
        __typename: 'Review',
        body: want.reviewAdded.body,
        author: { __typename: 'User', ...want.reviewAdded.author },
        product: { __typename: 'Product', ...want.reviewAdded.product },
      },
    });
    subscription.unsubscribe();
    apollo.stop();
  });

  it('filters by the upc argument: a client of one product gets only its reviews', async () => {
    const client = wsClient(stack.gatewayUrl);
    const one = collect(client, { query: REVIEW_ADDED, variables: { upc: world.products[3]!.upc } });
    const all = collect(client, { query: REVIEW_ADDED });
    await subscribed();
    await review(4, 'Not for the filtered one.');
    await review(3, 'For both.');
    await all.received(2);
    const [event] = await one.received(1);
    expect(event).toEqual({ data: await expected(3, 'For both.') });
    expect(one.results).toHaveLength(1);
    one.dispose();
    all.dispose();
    await client.dispose();
  });
});

describe('the answers of a multipart subscription, byte for byte', () => {
  it('writes each event as a part, Apollo Router’s way: each chunk closed by the next delimiter', async () => {
    const abort = new AbortController();
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed;subscriptionSpec="1.0", application/json' },
      body: JSON.stringify({ query: 'subscription { reviewAdded { body } }' }),
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
    const reader = response.body!.getReader();
    await subscribed();
    await review(0, 'Bytes.');
    let text = '';
    while (!text.includes('Bytes.')) text += new TextDecoder().decode((await reader.read()).value);
    // Each chunk ends with the next delimiter: the part is whole as soon as it arrives.
    expect(text).toMatch(/^\r\n--graphql\r\ncontent-type: application\/json\r\n\r\n/);
    expect(text).toContain('\r\ncontent-type: application/json\r\n\r\n{"payload":{"data":{"reviewAdded":{"body":"Bytes."}}}}\r\n--graphql');
    expect(text.endsWith('\r\n--graphql')).toBe(true);
    abort.abort();
  });
});
