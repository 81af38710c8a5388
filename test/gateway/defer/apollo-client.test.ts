import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../../scripts/seed/world.js';
import { startGatedGateway, type GatedGateway } from '../../support/subgraph-gate.js';
import { startTestStack, type TestStack } from '../../support/stack.js';

/**
 * Apollo Client 4 in Node, as a frontend uses it: HttpLink (Node's fetch)
 * and the deferSpec=20220824 handler. It shows the non-deferred fields
 * first, then the whole result once the deferred fragment arrives.
 */
const world = generateWorld();
let stack: TestStack;
let gateway: GatedGateway;
let release!: () => void;
const held = new Promise<void>((resolve) => (release = resolve));

beforeAll(async () => {
  stack = await startTestStack(world);
  // Reviews are held until the test has seen the partial result: the client must show it before the rest exists.
  gateway = await startGatedGateway(stack, 'reviews', () => held);
});
afterAll(async () => {
  release();
  await gateway?.stop();
  await stack?.close();
});

const product = world.products[0]!;

describe('Apollo Client 4', () => {
  it('receives the deferred parts: the partial result first, then the complete one', async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: gateway.url }),
      cache: new InMemoryCache(),
      incrementalHandler: new Defer20220824Handler(),
    });
    const query = gql`
      query ProductPage($upc: String!) {
        product(upc: $upc) {
          upc
          name
          ... @defer(label: "reviews") {
            reviews(first: 2) {
              id
              body
            }
          }
        }
      }
    `;
    const seen: { dataState: string; data: unknown }[] = [];
    const complete = new Promise<void>((resolve, reject) => {
      const subscription = client.watchQuery({ query, variables: { upc: product.upc } }).subscribe({
        next(result) {
          if (result.dataState === 'empty') return;
          seen.push({ dataState: result.dataState, data: result.data });
          if (result.dataState === 'streaming') release();
          if (result.dataState === 'complete') {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    await complete;
    const plain = (await (
      await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ product(upc: "${product.upc}") { upc name reviews(first: 2) { id body } } }` }),
      })
    ).json()) as { data: { product: Record<string, unknown> } };
    const typed = (reviews: unknown[]) => reviews.map((review) => ({ __typename: 'Review', ...(review as object) }));
    expect(seen).toEqual([
      { dataState: 'streaming', data: { product: { __typename: 'Product', upc: product.upc, name: product.name } } },
      {
        dataState: 'complete',
        data: { product: { __typename: 'Product', upc: product.upc, name: product.name, reviews: typed(plain.data.product.reviews as unknown[]) } },
      },
    ]);
    client.stop();
  });
});
