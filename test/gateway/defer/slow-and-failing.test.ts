import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../../scripts/seed/world.js';
import { APOLLO_CLIENT_ACCEPT, partsOf } from '../../support/multipart.js';
import { startGatedGateway, type GatedGateway } from '../../support/subgraph-gate.js';
import { startTestStack, type TestStack } from '../../support/stack.js';

/**
 * A deferred fragment from a subgraph that is slow, or fails: the first part
 * does not wait for it, and its failure stays in its own part.
 */
const world = generateWorld();
let stack: TestStack;
let gateway: GatedGateway | undefined;

beforeAll(async () => {
  stack = await startTestStack(world, { ALLOW_BATCHING: 'true' });
});
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});
afterAll(() => stack?.close());

const product = world.products[0]!;
const QUERY = `{ product(upc: "${product.upc}") { upc name ... @defer(label: "reviews") { reviews(first: 2) { body } } } }`;

function post(url: string, body: unknown, accept = APOLLO_CLIENT_ACCEPT) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify(body) });
}

describe('a slow subgraph behind a deferred fragment', () => {
  it('does not delay the first part: the client reads it while the subgraph’s answer is still held', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const asked = new Promise<void>((resolve) => (reached = resolve));
    gateway = await startGatedGateway(stack, 'reviews', () => {
      reached();
      return held;
    });
    const res = await post(gateway.url, { query: QUERY });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The whole first part, up to the delimiter after it: were the gateway to wait for reviews, this would never end (the test's timeout).
    while (!/\r\n--graphql\r\n.*\r\n--graphql/s.test(text)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
    expect(text).toContain(`{"data":{"product":{"upc":"${product.upc}","name":${JSON.stringify(product.name)}}},"hasNext":true}`);
    expect(text).not.toContain('incremental');
    // The deferred fetch is sent, and held, until the client had its first part.
    await asked;
    release();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
    const [, rest] = partsOf(text) as [unknown, { incremental: { data: { reviews: unknown[] } }[] }];
    expect(rest.incremental[0]!.data.reviews.length).toBeGreaterThan(0);
  });
});

describe('a failing subgraph behind a deferred fragment', () => {
  it('nulls the fragment at its path, with the error in its part: the first part is whole, and the null stops at the fragment', async () => {
    gateway = await startGatedGateway(stack, 'reviews', () => ({ status: 500, body: 'down' }));
    const parts = partsOf(await (await post(gateway.url, { query: QUERY })).text()) as {
      data?: unknown;
      errors?: unknown[];
      incremental?: { data: unknown; path: unknown[]; label: string; errors: { path?: unknown[]; extensions: Record<string, unknown> }[] }[];
    }[];
    expect(parts[0]).toEqual({ data: { product: { upc: product.upc, name: product.name } }, hasNext: true });
    const [item] = parts[1]!.incremental!;
    // reviews is [Review!]!: without it the fragment's object cannot be completed, and the null stops at the payload's path.
    expect(item!.data).toBeNull();
    expect(item!.path).toEqual(['product']);
    expect(item!.label).toBe('reviews');
    expect(item!.errors.map((error) => [error.extensions.code, error.extensions.serviceName, typeof error.extensions.requestId])).toContainEqual(['DOWNSTREAM_SERVICE_ERROR', 'reviews', 'string']);
  });
});

describe('a batch', () => {
  it('is one JSON array: its operations are answered whole', async () => {
    const res = await post(stack.gatewayUrl, [{ query: `{ product(upc: "${product.upc}") { upc ... @defer { name } } }` }]);
    expect(res.headers.get('content-type')).not.toContain('multipart');
    expect(await res.json()).toEqual([{ data: { product: { upc: product.upc, name: product.name } } }]);
  });
});
