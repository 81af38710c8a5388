import { SpanKind } from '@opentelemetry/api';
import WebSocket from 'ws';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { installTracing, type Telemetry } from '#lib/telemetry.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { collect, wsClient } from './support.js';

/**
 * A subscription in a trace: the subscribe message is a SERVER span that
 * continues the upgrade's traceparent, and each event a `subscription event`
 * span under it, with the fetches of the rest of its plan under that.
 */
const world = generateWorld({ users: 5, products: 5, reviews: 5 });
const CLIENT_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
let stack: TestStack;
let telemetry: Telemetry;
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  telemetry = await installTracing({ service: 'junction-test', processors: [new SimpleSpanProcessor(exporter)] });
  stack = await startTestStack(world);
});
afterAll(async () => {
  await stack?.close();
  await telemetry?.shutdown();
});

it('traces the subscribe under the client’s trace, and each event with the fetches it made', async () => {
  const client = wsClient(stack.gatewayUrl, { webSocketImpl: tracedWebSocket(`00-${CLIENT_TRACE_ID}-00f067aa0ba902b7-01`) });
  const events = collect(client, { query: 'subscription Reviews { reviewAdded { body author { name } } }' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const headers = await stack.signIn(Number(world.users[0]!.id));
  await stack.query(`mutation { createReview(input: { upc: "${world.products[0]!.upc}", rating: 3, body: "Traced." }) { id } }`, {}, headers);
  await events.received(1);

  let spans: ReadableSpan[] = [];
  await vi.waitFor(() => {
    spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === CLIENT_TRACE_ID);
    expect(spans.some((span) => span.name === 'subscription event')).toBe(true);
    expect(spans.some((span) => span.name === 'subgraph accounts')).toBe(true);
  });
  const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
  const parent = (span: ReadableSpan) => byId.get(span.parentSpanContext?.spanId ?? '');
  const subscribe = spans.find((span) => span.name === 'subscription Reviews' || span.name === 'graphql-ws subscribe')!;
  expect(subscribe.kind).toBe(SpanKind.SERVER);
  expect(subscribe.attributes['graphql.operation.type']).toBe('subscription');
  const event = spans.find((span) => span.name === 'subscription event')!;
  const ancestors: ReadableSpan[] = [];
  for (let at = parent(event); at; at = parent(at)) ancestors.push(at);
  expect(ancestors).toContain(subscribe);
  // The author's name came from accounts (reviews provides only the username), fetched for this event, under its span.
  const accounts = spans.find((span) => span.name === 'subgraph accounts')!;
  expect(parent(accounts)).toBe(event);
  events.dispose();
  await client.dispose();
});

/** The `ws` WebSocket, sending `traceparent` on the upgrade as a traced Node client would. */
function tracedWebSocket(traceparent: string) {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { traceparent } });
    }
  };
}
