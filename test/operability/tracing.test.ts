import type { IncomingHttpHeaders } from 'node:http';
import { propagation, SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseEnv } from '#lib/env.js';
import { GATEWAY_HEADER } from '#lib/identity.js';
import { activeSpan, installTracing, startTelemetry, traceExporters, tracing, type Telemetry } from '#lib/telemetry.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { startTestStack, testEnv, type TestStack } from '../support/stack.js';

/*
 * One request followed through the whole stack in this process: the gateway's
 * span, its planning and its fetches, each subgraph's request span (joined by
 * the traceparent the fetch sent), its loader batches and their SQL. Tracing is
 * global to a process, so it is off for the first tests and on for the rest.
 */
const world = generateWorld({ users: 12, products: 15, reviews: 60 });
const reviewed = world.products.find((product) => world.reviews.some((review) => review.productUpc === product.upc))!;
const SUBGRAPHS = ['accounts', 'inventory', 'products', 'reviews'];
/** Crosses all four subgraphs: products, then inventory and reviews, then accounts for the authors. */
const productPage = (name: string) =>
  `query ${name}($upc: String!) { product(upc: $upc) { name inStock reviews(first: 3) { rating author { name } } } }`;
/** A trace a client started, as it would send it. */
const CLIENT_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_TRACEPARENT = `00-${CLIENT_TRACE_ID}-00f067aa0ba902b7-01`;

let stack: TestStack;
/** Every request a subgraph received, with its headers as they arrived. */
const received: { subgraph: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  stack = await startTestStack(world);
  for (const [name, served] of Object.entries(stack.subgraphs)) {
    served.server.prependListener('request', (req) => {
      if (req.url?.startsWith('/graphql')) received.push({ subgraph: name, headers: req.headers });
    });
  }
});
afterAll(() => stack?.close());

describe('which variables turn tracing on', () => {
  const exporters = (variables: Record<string, string>) => {
    const parsed = parseEnv(variables);
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    return traceExporters(parsed.env);
  };

  it('none by default; an endpoint or a named exporter; never with none or OTEL_SDK_DISABLED', () => {
    expect(exporters({})).toEqual([]);
    expect(exporters({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual(['otlp']);
    expect(exporters({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toEqual(['otlp']);
    expect(exporters({ OTEL_TRACES_EXPORTER: 'console' })).toEqual(['console']);
    expect(exporters({ OTEL_TRACES_EXPORTER: 'otlp, console' })).toEqual(['otlp', 'console']);
    expect(exporters({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual([]);
    expect(exporters({ OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp' })).toEqual([]);
  });

  it('refuses values it cannot honour, listing them', () => {
    const parsed = parseEnv({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_TRACES_SAMPLER: 'sometimes', OTEL_TRACES_SAMPLER_ARG: '2' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((problem) => problem.split(':')[0])).toEqual(
      expect.arrayContaining(['OTEL_TRACES_EXPORTER.0', 'OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG']),
    );
  });
});

describe('with tracing off (the default)', () => {
  it('registers nothing and sends no traceparent to a subgraph, even when the client sent one', async () => {
    const telemetry = await startTelemetry(testEnv(), 'gateway');
    expect(tracing()).toBe(false);
    expect(activeSpan()).toBeUndefined();
    // No propagator was registered: the API's no-op injects nothing.
    expect(propagation.fields()).toEqual([]);

    received.length = 0;
    const result = await stack.query(productPage('ProductPageUntraced'), { upc: reviewed.upc }, { traceparent: CLIENT_TRACEPARENT });
    expect(result.errors).toBeUndefined();
    expect(new Set(received.map(({ subgraph }) => subgraph))).toEqual(new Set(SUBGRAPHS));
    expect(received.filter(({ headers }) => 'traceparent' in headers || 'tracestate' in headers)).toEqual([]);
    await telemetry.shutdown();
  });
});

describe('with tracing on', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry | undefined;
  beforeAll(async () => {
    telemetry = await installTracing({ service: 'junction-test', processors: [new SimpleSpanProcessor(exporter)] });
  });
  afterAll(() => telemetry?.shutdown());
  beforeEach(() => {
    exporter.reset();
    received.length = 0;
    stack.statements.length = 0;
  });

  it('follows one request from the gateway into every subgraph and down to its SQL, under one trace id', async () => {
    const signedIn = await stack.signIn(3);
    const result = await stack.query(productPage('ProductPage'), { upc: reviewed.upc }, signedIn);
    expect(result.errors).toBeUndefined();
    const spans = await requestSpans();
    const trace = new Trace(spans);

    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    const gateway = trace.gatewaySpan();
    expect(gateway.parentSpanContext).toBeUndefined();
    // Named after its operation once the pipeline knows it (gateway/src/pipeline/outcome.ts).
    expect(gateway.name).toBe('query ProductPage');
    expect(gateway.attributes).toMatchObject({
      'http.response.status_code': 200,
      'graphql.operation.name': 'ProductPage',
      'graphql.operation.type': 'query',
      'junction.outcome': 'ok',
    });

    // Planned on this first request, under it.
    const [planning, ...morePlanning] = trace.named('query_planning');
    expect(morePlanning).toEqual([]);
    expect(trace.parentOf(planning!)).toBe(gateway);
    expect(planning!.attributes).toMatchObject({ 'graphql.operation.name': 'ProductPage', 'graphql.operation.type': 'query' });

    // A CLIENT span per fetch, each answered by a SERVER span in the subgraph it names.
    const fetches = spans.filter((span) => span.kind === SpanKind.CLIENT && span.name.startsWith('subgraph '));
    expect(new Set(fetches.map((span) => span.attributes['subgraph.name']))).toEqual(new Set(SUBGRAPHS));
    const portOf = Object.fromEntries(Object.entries(stack.subgraphs).map(([name, served]) => [name, served.port]));
    for (const fetch of fetches) {
      expect(trace.ancestors(fetch)).toContain(gateway);
      expect(fetch.attributes['http.response.status_code']).toBe(200);
      const served = trace.childrenOf(fetch);
      expect(served.map((span) => [span.kind, span.name])).toEqual([[SpanKind.SERVER, 'POST /graphql']]);
      expect(served[0]!.attributes['server.port']).toBe(portOf[String(fetch.attributes['subgraph.name'])]);
    }
    // What the subgraphs were sent is what the fetch spans say: their own span id in each traceparent.
    const sent = received.map(({ headers }) => String(headers.traceparent).split('-')[2]);
    expect(sent.sort()).toEqual(fetches.map((span) => span.spanContext().spanId).sort());

    // In the subgraphs: a span per loader batch, and a span per SQL statement.
    const subgraphRequests = fetches.map((fetch) => trace.childrenOf(fetch)[0]!);
    const loaders = spans.filter((span) => span.name.startsWith('loader '));
    expect(loaders.map((span) => span.attributes['junction.loader.name'])).toEqual(
      expect.arrayContaining(['stockByUpc', 'reviewsByProduct', 'userById']),
    );
    for (const loader of loaders) {
      expect(subgraphRequests).toContain(trace.parentOf(loader));
      expect(loader.attributes['junction.loader.keys']).toBeGreaterThan(0);
    }
    const statements = spans.filter((span) => span.attributes['db.system.name'] === 'postgresql');
    expect(statements.map((span) => span.attributes['db.query.text']).sort()).toEqual([...stack.statements].sort());
    for (const statement of statements) {
      expect(statement.kind).toBe(SpanKind.CLIENT);
      expect(statement.name).toBe('SELECT');
      expect(trace.ancestors(statement).some((span) => subgraphRequests.includes(span))).toBe(true);
    }
    expect(statements.filter((span) => loaders.includes(trace.parentOf(span)!)).length).toBeGreaterThanOrEqual(loaders.length);

    // No secret in a span: not the caller's token, not the gateway's, not a variable's value (a SQL parameter).
    const gatewayTokens = received.map(({ headers }) => String(headers[GATEWAY_HEADER]));
    expect(gatewayTokens.every((token) => token.length > 20)).toBe(true);
    const secrets = [signedIn.authorization!.replace('Bearer ', ''), ...gatewayTokens, reviewed.upc];
    const values = spans.flatMap((span) => Object.values(span.attributes).map(String));
    for (const secret of secrets) expect(values.filter((value) => value.includes(secret))).toEqual([]);
  });

  it('plans an operation once: the next request has no planning span', async () => {
    await stack.query(productPage('ProductPageTwice'), { upc: reviewed.upc });
    await requestSpans();
    exporter.reset();
    await stack.query(productPage('ProductPageTwice'), { upc: reviewed.upc });
    const trace = new Trace(await requestSpans());
    expect(trace.named('query_planning')).toEqual([]);
    expect(trace.named('subgraph products')).toHaveLength(1);
  });

  it("continues the trace a client started, into the subgraphs", async () => {
    const result = await stack.query(productPage('ProductPage'), { upc: reviewed.upc }, { traceparent: CLIENT_TRACEPARENT });
    expect(result.errors).toBeUndefined();
    const spans = await requestSpans();
    const gateway = new Trace(spans).gatewaySpan();
    expect(gateway.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(new Set(spans.map((span) => span.spanContext().traceId))).toEqual(new Set([CLIENT_TRACE_ID]));
    expect(received.length).toBeGreaterThan(0);
    for (const { headers } of received) expect(String(headers.traceparent)).toMatch(new RegExp(`^00-${CLIENT_TRACE_ID}-[0-9a-f]{16}-01$`));
  });

  it("traces a mutation's statements inside its transaction, without the values written", async () => {
    const body = 'Traced, and the parameters stay out of the span.';
    const result = await stack.query(
      `mutation Review($input: CreateReviewInput!) { createReview(input: $input) { id } }`,
      { input: { upc: reviewed.upc, rating: 5, body } },
      await stack.signIn(4),
    );
    expect(result.errors).toBeUndefined();
    // Reviews asks products whether the product exists (lib/peers.ts): in the same trace.
    const spans = await requestSpans(0);
    const statements = spans.filter((span) => span.attributes['db.system.name'] === 'postgresql');
    expect(statements.map((span) => span.attributes['db.query.text']).sort()).toEqual([...stack.statements].sort());
    // The review, and the author's copy of the username: both inside the transaction, in the request's trace.
    const inserts = statements.filter((span) => span.name === 'INSERT');
    expect(inserts.length).toBeGreaterThan(0);
    const traceId = new Trace(spans).gatewaySpan().spanContext().traceId;
    expect(new Set(spans.map((span) => span.spanContext().traceId))).toEqual(new Set([traceId]));
    expect(new Trace(spans).named('subgraph products').length).toBeGreaterThanOrEqual(1);
    const values = spans.flatMap((span) => Object.values(span.attributes).map(String));
    expect(values.filter((value) => value.includes(body) || value.includes(reviewed.upc))).toEqual([]);
  });

  it('leaves probes out, so an orchestrator polling them starts no traces', async () => {
    const gatewayOrigin = new URL(stack.gatewayUrl).origin;
    for (const path of ['/health', '/ready']) expect((await fetch(`${gatewayOrigin}${path}`)).status).toBe(200);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  /**
   * The spans of the request just answered, once the gateway's own span has ended (just after its
   * response) and the request span of each fetch, and of `peerRequests` between subgraphs.
   */
  async function requestSpans(peerRequests = 0): Promise<ReadableSpan[]> {
    const gatewayPort = Number(new URL(stack.gatewayUrl).port);
    await vi.waitFor(() => {
      const spans = exporter.getFinishedSpans();
      const requests = spans.filter((span) => span.kind === SpanKind.SERVER);
      expect(requests.some((span) => span.attributes['server.port'] === gatewayPort)).toBe(true);
      // Every subgraph request the gateway fetched has ended too.
      const fetches = spans.filter((span) => span.name.startsWith('subgraph '));
      expect(requests.length).toBe(fetches.length + 1 + peerRequests);
    });
    return exporter.getFinishedSpans();
  }
});

/** The spans of one trace, walked by their parent ids. */
class Trace {
  private readonly byId: Map<string, ReadableSpan>;
  constructor(readonly spans: ReadableSpan[]) {
    this.byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
  }

  parentOf(span: ReadableSpan): ReadableSpan | undefined {
    const parent = span.parentSpanContext?.spanId;
    return parent === undefined ? undefined : this.byId.get(parent);
  }

  ancestors(span: ReadableSpan): ReadableSpan[] {
    const found: ReadableSpan[] = [];
    for (let parent = this.parentOf(span); parent; parent = this.parentOf(parent)) found.push(parent);
    return found;
  }

  childrenOf(span: ReadableSpan): ReadableSpan[] {
    return this.spans.filter((child) => child.parentSpanContext?.spanId === span.spanContext().spanId);
  }

  named(name: string): ReadableSpan[] {
    return this.spans.filter((span) => span.name === name);
  }

  /** The gateway's request span: the one root SERVER span whose trace has fetches. */
  gatewaySpan(): ReadableSpan {
    const roots = this.spans.filter(
      (span) =>
        span.kind === SpanKind.SERVER &&
        this.parentOf(span) === undefined &&
        this.childrenOf(span).some((child) => child.name.startsWith('subgraph ')),
    );
    expect(roots).toHaveLength(1);
    return roots[0]!;
  }
}
