import { expect } from 'vitest';
import WebSocket from 'ws';
import type { World } from '../../scripts/seed/world.js';
import type { TestStack } from '../support/stack.js';

/**
 * What the security, limits and metrics scenarios share about the commerce
 * stack: writing reviews through the gateway (what makes `reviewAdded`
 * events), and watching the gateway's own WebSocket connections to a subgraph
 * (what tells that a subscription ended there).
 */

/** Writes a review of the `productIndex`th product through the gateway, as the first user; returns its id. */
export async function writeReview(stack: TestStack, world: World, productIndex: number, body: string): Promise<string> {
  const headers = await stack.signIn(Number(world.users[0]!.id));
  const result = await stack.query<{ createReview: { id: string } }>(
    'mutation($input: CreateReviewInput!) { createReview(input: $input) { id } }',
    { input: { upc: world.products[productIndex]!.upc, rating: 4, body } },
    headers,
  );
  expect(result.errors).toBeUndefined();
  return result.data!.createReview.id;
}

/** Waits until the gateway has the subscription open at the subgraph, so that a mutation after it is seen. */
export async function subscribed(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 400));
}

/**
 * The WebSocket connections open on a subgraph's server: the gateway's, which
 * it opens for a subscription and closes a little after the last one ends
 * (its graphql-ws client is lazy), so none open means nothing subscribed there.
 */
export function upstreamSockets(stack: TestStack, subgraph: 'reviews' | 'inventory'): { readonly open: number } {
  let open = 0;
  stack.subgraphs[subgraph]!.server.on('upgrade', (_req, socket: NodeJS.EventEmitter) => {
    open++;
    socket.once('close', () => open--);
  });
  return {
    get open() {
      return open;
    },
  };
}

/** A WebSocket class for graphql-ws's `webSocketImpl` that sends `headers` with the upgrade, as a Node client can (a browser cannot). */
export function webSocketWithHeaders(headers: Record<string, string>) {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  };
}

/** Reads a streaming HTTP response's text until `done` says it holds what is awaited. */
export async function readUntil(response: Response, done: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const deadline = setTimeout(() => void reader.cancel(), timeoutMs);
  let text = '';
  try {
    while (!done(text)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(deadline);
    reader.releaseLock();
  }
  return text;
}

/** A subscription over HTTP: POST with `accept` and `headers`; abort with the controller returned. */
export async function streamingPost(
  url: string,
  accept: string,
  body: { query: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown> },
  headers: Record<string, string> = {},
): Promise<{ response: Response; abort: AbortController }> {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...headers },
    body: JSON.stringify(body),
    signal: abort.signal,
  });
  return { response, abort };
}

export const SSE = 'text/event-stream';
export const MULTIPART = 'multipart/mixed;subscriptionSpec="1.0", application/json';

type Sample = { name: string; labels: Record<string, string>; value: number };

/** The sum of the gateway's /metrics samples named `name` whose labels include `labels` (Prometheus text format). */
export async function gatewayMetric(stack: TestStack, name: string, labels: Record<string, string> = {}): Promise<number> {
  const response = await fetch(stack.gatewayUrl.replace(/\/graphql$/, '/metrics'));
  expect(response.status).toBe(200);
  const samples: Sample[] = [];
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)!;
    const parsed: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) parsed[key!] = value!;
    samples.push({ name: match[1]!, labels: parsed, value: Number(match[3]) });
  }
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}
