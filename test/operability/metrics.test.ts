import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '#lib/http.js';
import { GATEWAY_HEADER, signGatewayToken } from '#lib/identity.js';
import { createLogger } from '#lib/logger.js';
import { MAX_OPERATION_NAMES } from '#lib/metrics.js';
import { createApiKey } from '#gateway/stages/identify/api-keys.js';
import { createGateway } from '../../gateway/src/server.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { post } from '../support/graphql.js';
import { startTestStack, testEnv, type TestStack } from '../support/stack.js';

/**
 * GET /metrics on the gateway and the subgraphs, after real requests through
 * the whole supergraph: operations counted by name and outcome, subgraph
 * fetches timed, the plan cache, rate-limit refusals, bounded operation names,
 * failures by kind and the circuits.
 */
const world = generateWorld({ users: 4, products: 3, reviews: 6 });
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(world, {
    RATE_LIMIT: 'true',
    // Addresses are not limited here; API keys get a burst of 2.
    RATE_LIMIT_BURST: '100000',
    RATE_LIMIT_PER_SECOND: '100000',
    RATE_LIMIT_KEY_BURST: '2',
    RATE_LIMIT_KEY_PER_SECOND: '1',
    CIRCUIT_BREAKER_FAILURES: '1',
    CIRCUIT_BREAKER_RESET_MS: '60000',
  });
});
afterAll(() => stack?.close());

type Sample = { name: string; labels: Record<string, string>; value: number };

/** Scrapes a /metrics endpoint and parses the Prometheus text format. */
async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const samples: Sample[] = [];
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`Not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

const gatewayMetrics = () => scrape(stack.gatewayUrl.replace(/\/graphql$/, '/metrics'));
const subgraphMetrics = (name: 'products' | 'inventory') => scrape(stack.subgraphs[name]!.url.replace(/\/graphql$/, '/metrics'));

/** How much each of `series` grew while `act` ran. */
async function growth(series: [name: string, labels?: Record<string, string>][], act: () => Promise<void>): Promise<number[]> {
  const before = await gatewayMetrics();
  await act();
  const after = await gatewayMetrics();
  return series.map(([name, labels]) => total(after, name, labels) - total(before, name, labels));
}

const REQUESTS = 'junction_gateway_requests_total';
const TOP_PRODUCTS = 'query TopProducts { topProducts(first: 2) { name inStock } }';

describe('the gateway', () => {
  it('counts operations by name and outcome, and times them and their subgraph fetches', async () => {
    const grown = await growth(
      [
        [REQUESTS, { operation: 'TopProducts', outcome: 'ok' }],
        [REQUESTS, { operation: 'anonymous', outcome: 'ok' }],
        [REQUESTS, { operation: 'Emails', outcome: 'errors' }],
        [REQUESTS, { operation: 'unknown', outcome: 'refused' }],
        [REQUESTS, { operation: 'Broken' }],
        ['junction_gateway_request_duration_seconds_count', { operation: 'TopProducts' }],
        ['junction_gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'products' }],
        ['junction_gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'inventory' }],
        ['junction_gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'accounts' }],
        ['junction_gateway_subgraph_fetch_errors_total'],
      ],
      async () => {
        expect((await stack.query(TOP_PRODUCTS)).errors).toBeUndefined();
        expect((await stack.query(TOP_PRODUCTS)).errors).toBeUndefined();
        expect((await stack.query('{ topProducts(first: 1) { upc } }')).errors).toBeUndefined();
        // Anonymous callers get null and UNAUTHENTICATED for email: 200 with errors.
        const emails = await stack.query('query Emails { users(first: 1) { username email } }');
        expect({ status: emails.status, errors: emails.errors?.length }).toEqual({ status: 200, errors: 1 });
        // Invalid: its name is never a label value.
        expect((await stack.query('query Broken { nope }')).status).toBe(400);
      },
    );
    expect(grown).toEqual([2, 1, 1, 1, 0, 2, 3, 2, 1, 0]);

    const samples = await gatewayMetrics();
    expect(total(samples, 'junction_gateway_request_duration_seconds_sum', { operation: 'TopProducts' })).toBeGreaterThan(0);
    expect(total(samples, 'junction_gateway_subgraph_fetch_duration_seconds_sum', { subgraph: 'inventory' })).toBeGreaterThan(0);
    // Buckets are cumulative, up to +Inf: every request.
    const buckets = samples.filter((sample) => sample.name === 'junction_gateway_request_duration_seconds_bucket' && sample.labels.operation === 'TopProducts');
    expect(buckets.map((sample) => sample.value)).toEqual([...buckets.map((sample) => sample.value)].sort((a, b) => a - b));
    expect(buckets.at(-1)).toEqual({ name: 'junction_gateway_request_duration_seconds_bucket', labels: { operation: 'TopProducts', le: '+Inf' }, value: 2 });
    // Every circuit closed; the process and the database pool are there too.
    for (const subgraph of ['accounts', 'products', 'inventory', 'reviews']) {
      expect(total(samples, 'junction_gateway_subgraph_circuit_state', { subgraph, state: 'closed' })).toBe(1);
      expect(total(samples, 'junction_gateway_subgraph_circuit_state', { subgraph, state: 'open' })).toBe(0);
    }
    expect(total(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(samples.some((sample) => sample.name === 'nodejs_heap_size_used_bytes')).toBe(true);
    if (process.env.DATABASE_URL) expect(total(samples, 'junction_db_pool_size')).toBe(5);
  });

  it('counts a plan cache miss for a new operation and a hit for the same one again', async () => {
    const hits = 'junction_gateway_plan_cache_hits_total';
    const misses = 'junction_gateway_plan_cache_misses_total';
    const query = 'query PlanOnce { topProducts(first: 3) { upc name } }';
    expect(await growth([[misses], [hits]], async () => void (await stack.query(query)))).toEqual([1, 0]);
    expect(await growth([[misses], [hits]], async () => void (await stack.query(query)))).toEqual([0, 1]);
  });

  it('counts rate-limit refusals', async () => {
    const { key } = await createApiKey(stack.database.db, { name: 'Metrics', client: 'metrics' });
    const statuses: number[] = [];
    const grown = await growth(
      [
        ['junction_gateway_rate_limited_total', { by: 'api_key' }],
        [REQUESTS, { operation: 'unknown', outcome: 'refused' }],
        [REQUESTS, { operation: 'Limited', outcome: 'ok' }],
      ],
      async () => {
        for (let i = 0; i < 3; i++) statuses.push((await stack.query('query Limited { topProducts(first: 1) { upc } }', {}, { 'x-api-key': key })).status);
      },
    );
    expect(statuses).toEqual([200, 200, 429]);
    expect(grown).toEqual([1, 1, 2]);
  });

  it(`labels the first ${MAX_OPERATION_NAMES} operation names as themselves and later ones "other"`, async () => {
    const named = (samples: Sample[]) =>
      new Set(
        samples
          .filter((sample) => sample.name === REQUESTS && !['anonymous', 'other', 'unknown'].includes(sample.labels.operation!))
          .map((sample) => sample.labels.operation),
      );
    const before = await gatewayMetrics();
    const flood = MAX_OPERATION_NAMES + 50;
    for (let i = 0; i < flood; i++) {
      const result = await stack.query(`query Flood${i} { topProducts(first: 1) { upc } }`);
      expect(result.status).toBe(200);
    }
    const after = await gatewayMetrics();
    expect(named(after).size).toBe(MAX_OPERATION_NAMES);
    expect(named(after)).toEqual(new Set([...named(before), ...Array.from({ length: MAX_OPERATION_NAMES - named(before).size }, (_, i) => `Flood${i}`)]));
    const other = total(after, REQUESTS, { operation: 'other', outcome: 'ok' }) - total(before, REQUESTS, { operation: 'other', outcome: 'ok' });
    expect(other).toBe(named(before).size + flood - MAX_OPERATION_NAMES);
  });

  it('counts failed fetches by subgraph and kind, and shows the circuit that opened', async () => {
    // One failure opens a circuit here (CIRCUIT_BREAKER_FAILURES=1).
    await stack.subgraphs.inventory!.stop();
    const grown = await growth(
      [
        ['junction_gateway_subgraph_fetch_errors_total', { subgraph: 'inventory', kind: 'unreachable' }],
        ['junction_gateway_subgraph_fetch_errors_total', { subgraph: 'inventory', kind: 'circuit-open' }],
        ['junction_gateway_subgraph_fetch_errors_total', { subgraph: 'products' }],
        [REQUESTS, { operation: 'TopProducts', outcome: 'errors' }],
      ],
      async () => {
        for (let i = 0; i < 2; i++) {
          const result = await stack.query(TOP_PRODUCTS);
          expect(result.errors?.[0]?.extensions?.code).toBe('DOWNSTREAM_SERVICE_ERROR');
        }
      },
    );
    expect(grown).toEqual([1, 1, 0, 2]);
    const samples = await gatewayMetrics();
    expect(total(samples, 'junction_gateway_subgraph_circuit_state', { subgraph: 'inventory', state: 'open' })).toBe(1);
    expect(total(samples, 'junction_gateway_subgraph_circuit_state', { subgraph: 'inventory', state: 'closed' })).toBe(0);
  });

  it('answers only GET and HEAD at /metrics, and leaves it out with METRICS=false', async () => {
    const metricsUrl = stack.gatewayUrl.replace(/\/graphql$/, '/metrics');
    expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(405);
    expect((await fetch(metricsUrl, { method: 'HEAD' })).status).toBe(200);

    const env = testEnv({ METRICS: 'false' });
    const gateway = await createGateway({ supergraphSdl: stack.supergraphSdl, logger: createLogger(env, 'test'), env });
    const listening = await listen(gateway.server, 0, '127.0.0.1');
    try {
      expect((await fetch(listening.url.replace(/\/graphql$/, '/metrics'))).status).toBe(404);
    } finally {
      await listening.close();
      await gateway.stop();
    }
  });
});

describe('a subgraph', () => {
  it('counts its requests by outcome and shows its pool and process', async () => {
    const url = stack.subgraphs.products!.url;
    const fromGateway = { [GATEWAY_HEADER]: await signGatewayToken(null, stack.env.GATEWAY_SECRET) };
    const requests = 'junction_subgraph_requests_total';
    const before = await subgraphMetrics('products');
    expect((await post(url, '{ topProducts(first: 1) { upc } }', {}, fromGateway)).status).toBe(200);
    // A resolver's refusal: 200 with errors.
    expect((await post(url, '{ topProducts(first: -1) { upc } }', {}, fromGateway)).errors).toHaveLength(1);
    // Not from the gateway: refused before any GraphQL.
    expect((await post(url, '{ topProducts(first: 1) { upc } }')).status).toBe(401);
    const after = await subgraphMetrics('products');

    const grown = (labels: Record<string, string>) => total(after, requests, labels) - total(before, requests, labels);
    expect([grown({ outcome: 'ok' }), grown({ outcome: 'errors' }), grown({ outcome: 'refused' }), grown({ outcome: 'failed' })]).toEqual([1, 1, 1, 0]);
    expect(after.every((sample) => sample.name !== requests || sample.labels.subgraph === 'products')).toBe(true);
    expect(total(after, 'junction_subgraph_request_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(total(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    if (process.env.DATABASE_URL) {
      expect(total(after, 'junction_db_pool_size')).toBe(5);
      expect(total(after, 'junction_db_pool_waiting')).toBe(0);
    }
  });
});
