import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../gateway/src/circuit-breaker.js';
import type { GatewayContext } from '../../gateway/src/data-source.js';
import {
  startFaultGateway,
  type FaultGateway,
  type FaultGatewayOptions,
  type LogLine,
  type Result,
} from '../fixtures/fault-gateway.js';
import { LATEST_REVIEW, PRODUCTS, serveProducts, type ServedSubgraph } from '../fixtures/fault-supergraph.js';
import { startMisbehavingSubgraph, type MisbehavingSubgraph } from '../fixtures/misbehaving-subgraph.js';
import { freePorts, run, type Running } from '../support/processes.js';

/**
 * The gateway survives every way a subgraph can fail: the broken subgraph's
 * field is null with a DOWNSTREAM_SERVICE_ERROR naming it and the kind of
 * failure, the other subgraph's data is intact, and nothing about where the
 * subgraph runs reaches the client. Real servers, a real gateway.
 */
const QUERY = '{ products { upc name } latestReview { body } }';

type TestGateway = Omit<FaultGateway, 'query'> & {
  query(query?: string, context?: Partial<GatewayContext>): Promise<Result>;
};

let products: ServedSubgraph;
const cleanups: (() => Promise<unknown> | void)[] = [];

beforeAll(async () => {
  products = await serveProducts();
});
afterAll(() => products?.stop());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A gateway in front of the working products subgraph and the given reviews, stopped after the test. */
async function startGateway(options: Omit<FaultGatewayOptions, 'productsUrl'>): Promise<TestGateway> {
  const gateway = await startFaultGateway({ productsUrl: products.url, ...options });
  cleanups.push(() => gateway.stop());
  return { ...gateway, query: (query = QUERY, context) => gateway.query(query, context) };
}

async function misbehaving(...args: Parameters<typeof startMisbehavingSubgraph>): Promise<MisbehavingSubgraph> {
  const subgraph = await startMisbehavingSubgraph(...args);
  cleanups.push(() => subgraph.stop());
  return subgraph;
}

/** The answer when reviews failed: its field null, one error naming it, products intact, nothing leaked. */
function expectReviewsFailed(result: Result, message: string, port: number) {
  expect(result.data).toEqual({ products: PRODUCTS, latestReview: null });
  expect(result.errors).toEqual([
    { message, extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' } },
  ]);
  const text = JSON.stringify(result.errors);
  for (const leak of ['127.0.0.1', 'localhost', String(port), 'ECONNREFUSED', 'ECONNRESET', '<html', 'http:']) {
    expect(text).not.toContain(leak);
  }
}

function failureLog(gateway: TestGateway): LogLine {
  const line = gateway.logs.find((entry) => entry.msg === 'subgraph fetch failed');
  if (!line) throw new Error(`no failure logged: ${JSON.stringify(gateway.logs)}`);
  return line;
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work;
  return { value, ms: performance.now() - started };
}

describe('a subgraph that fails', () => {
  it('down (nothing listening): unreachable, with the address in the log only', async () => {
    const [port] = (await freePorts(1)) as [number];
    const gateway = await startGateway({ reviewsUrl: `http://127.0.0.1:${port}/graphql` });

    expectReviewsFailed(await gateway.query(), 'The reviews subgraph is unreachable.', port);
    const logged = failureLog(gateway);
    expect(logged).toMatchObject({ level: 50, subgraph: 'reviews', requestId: 'test-1', failure: 'unreachable' });
    expect(logged.url).toBe(`http://127.0.0.1:${port}/graphql`);
    expect(logged.detail).toContain('ECONNREFUSED');
  });

  it('down, outside production: the message carries the detail', async () => {
    const [port] = (await freePorts(1)) as [number];
    const gateway = await startGateway({ reviewsUrl: `http://127.0.0.1:${port}/graphql`, production: false });
    const result = await gateway.query();
    expect(result.data).toEqual({ products: PRODUCTS, latestReview: null });
    expect(result.errors?.[0]?.message).toMatch(/^The reviews subgraph is unreachable\. Detail: .*ECONNREFUSED/);
  });

  describe('killed mid-request (a real subgraph process, SIGKILL)', () => {
    let reviews: Running;
    let port: number;
    beforeAll(async () => {
      [port] = (await freePorts(1)) as [number];
      reviews = run(process.execPath, ['--import', 'tsx', 'test/fixtures/reviews-process.ts'], { PORT: String(port) });
      await reviews.waitFor(/reviews subgraph ready/);
    });
    afterAll(async () => {
      if (reviews.child.exitCode === null && reviews.child.signalCode === null) reviews.child.kill('SIGKILL');
      await reviews.exited;
    });

    it('answers while it runs, then reports it unreachable once it is killed', async () => {
      const gateway = await startGateway({ reviewsUrl: `http://127.0.0.1:${port}/graphql` });
      expect(await gateway.query()).toEqual({ data: { products: PRODUCTS, latestReview: LATEST_REVIEW } });

      const pending = gateway.query('{ products { upc name } latestReview(delayMs: 10000) { body } }');
      await reviews.waitFor(/resolving latestReview \(delay 10000 ms\)/);
      reviews.child.kill('SIGKILL');
      expect(await reviews.exited).toBe('SIGKILL');
      // The broken connection is retried (it is a query) and the retry finds nobody listening.
      expectReviewsFailed(await pending, 'The reviews subgraph is unreachable.', port);
      expectReviewsFailed(await gateway.query(), 'The reviews subgraph is unreachable.', port);
    });
  });

  it('slow beyond timeoutMs: the request ends at the timeout, not later, and is not retried', async () => {
    const reviews = await misbehaving('hang');
    const gateway = await startGateway({ reviewsUrl: reviews.url, timeoutMs: 300 });
    const { value, ms } = await timed(gateway.query());
    expectReviewsFailed(value, 'The reviews subgraph timed out (no answer within 300 ms).', reviews.port);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1_500);
    expect(reviews.requests).toBe(1);
  });

  it("slow beyond the request's deadline: the fetch is abandoned when the signal aborts", async () => {
    const reviews = await misbehaving('hang');
    const gateway = await startGateway({ reviewsUrl: reviews.url, timeoutMs: 10_000 });
    const { value, ms } = await timed(gateway.query(QUERY, { signal: AbortSignal.timeout(250) }));
    expectReviewsFailed(value, "The reviews subgraph timed out (the request's deadline passed).", reviews.port);
    expect(ms).toBeLessThan(1_500);

    // A deadline already passed: no fetch at all, to either subgraph.
    const before = reviews.requests;
    const late = await gateway.query(QUERY, { signal: AbortSignal.abort() });
    expect(late.errors?.map((error) => error.message).sort()).toEqual([
      "The products subgraph timed out (the request's deadline passed).",
      "The reviews subgraph timed out (the request's deadline passed).",
    ]);
    expect(reviews.requests).toBe(before);
  });

  it('answering an HTML 502: a non-GraphQL response, with status and body start in the log', async () => {
    const reviews = await misbehaving('html-502');
    const gateway = await startGateway({ reviewsUrl: reviews.url });
    expectReviewsFailed(
      await gateway.query(),
      'The reviews subgraph answered with a non-GraphQL response (HTTP 502).',
      reviews.port,
    );
    const logged = failureLog(gateway);
    expect(logged).toMatchObject({ failure: 'non-graphql', status: 502 });
    expect(logged.body).toMatch(/^<html><head><title>502 Bad Gateway/);
    expect((logged.body as string).length).toBeLessThanOrEqual(201);
  });

  it('answering invalid JSON', async () => {
    const reviews = await misbehaving('invalid-json');
    const gateway = await startGateway({ reviewsUrl: reviews.url });
    expectReviewsFailed(await gateway.query(), 'The reviews subgraph answered with invalid JSON.', reviews.port);
    expect(failureLog(gateway)).toMatchObject({
      failure: 'invalid-json',
      status: 200,
      body: '{"data": {"latestReview": ',
    });
  });

  it('answering JSON that is not a GraphQL response', async () => {
    const reviews = await misbehaving('json-array');
    const gateway = await startGateway({ reviewsUrl: reviews.url });
    expectReviewsFailed(
      await gateway.query(),
      'The reviews subgraph answered with a non-GraphQL response (HTTP 200).',
      reviews.port,
    );
  });

  it.each(['huge', 'huge-declared'] as const)(
    'answering a body over maxResponseBytes (%s): too large, cut off early',
    async (mode) => {
      const reviews = await misbehaving(mode);
      const gateway = await startGateway({ reviewsUrl: reviews.url, maxResponseBytes: 64 * 1024 });
      expectReviewsFailed(
        await gateway.query(),
        'The reviews subgraph answered with a response that is too large (over 65536 bytes).',
        reviews.port,
      );
      // The gateway hung up: the subgraph got nowhere near writing its 256 MiB.
      expect(await reviews.hugeAbortedAfter).toBeLessThan(32 * 1024 * 1024);
    },
  );

  it('resetting the connection mid-body: broken off, not retried', async () => {
    const reviews = await misbehaving('reset-mid-body');
    const gateway = await startGateway({ reviewsUrl: reviews.url });
    expectReviewsFailed(await gateway.query(), 'The reviews subgraph broke off its answer.', reviews.port);
    expect(reviews.requests).toBe(1);
    expect(failureLog(gateway)).toMatchObject({ failure: 'interrupted', status: 200 });
  });
});

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

describe('retry', () => {
  it('retries a query once when the connection breaks before any answer', async () => {
    const reviews = await misbehaving('drop-first');
    const gateway = await startGateway({ reviewsUrl: reviews.url });
    expect(await gateway.query()).toEqual({ data: { products: PRODUCTS, latestReview: LATEST_REVIEW } });
    expect(reviews.requests).toBe(2);
    expect(gateway.logs.some((line) => line.msg === 'subgraph fetch retried')).toBe(true);
  });

  it('never retries a mutation: it may have run', async () => {
    const reviews = await misbehaving('drop-first');
    const gateway = await startGateway({ reviewsUrl: reviews.url });
    const result = await gateway.query('mutation { addReview(body: "Nice") { body } }');
    expect(result.data).toEqual({ addReview: null });
    expect(result.errors).toEqual([
      {
        message: 'The reviews subgraph is unreachable.',
        extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' },
      },
    ]);
    expect(reviews.requests).toBe(1);
  });

  it('does not retry when retry is off', async () => {
    const reviews = await misbehaving('drop-first');
    const gateway = await startGateway({ reviewsUrl: reviews.url, retry: false });
    expectReviewsFailed(await gateway.query(), 'The reviews subgraph is unreachable.', reviews.port);
    expect(reviews.requests).toBe(1);
  });
});

describe('circuit breaker', () => {
  it('opens after failureThreshold failures, fails fast without the network, then half-opens and closes', async () => {
    const reviews = await misbehaving('html-502');
    const gateway = await startGateway({ reviewsUrl: reviews.url, breaker: { failureThreshold: 3, resetMs: 300 } });
    for (let i = 0; i < 3; i++) {
      const result = await gateway.query();
      expect(result.errors?.[0]?.message).toBe('The reviews subgraph answered with a non-GraphQL response (HTTP 502).');
    }
    expect(reviews.requests).toBe(3);

    const { value, ms } = await timed(gateway.query());
    expectReviewsFailed(value, 'The reviews subgraph is unavailable (circuit open).', reviews.port);
    expect(reviews.requests).toBe(3);
    expect(ms).toBeLessThan(200);

    reviews.mode = 'ok';
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await gateway.query()).toEqual({ data: { products: PRODUCTS, latestReview: LATEST_REVIEW } });
    expect(await gateway.query()).toEqual({ data: { products: PRODUCTS, latestReview: LATEST_REVIEW } });
    expect(reviews.requests).toBe(5);

    const changes = gateway.logs.filter((line) => /^subgraph circuit/.test(line.msg));
    expect(changes.map(({ level, msg, subgraph }) => ({ level, msg, subgraph }))).toEqual([
      { level: 40, msg: 'subgraph circuit opened: 3 consecutive failures', subgraph: 'reviews' },
      { level: 30, msg: 'subgraph circuit closed: trial fetch succeeded', subgraph: 'reviews' },
    ]);
  });

  it('counts timeouts and unreachable subgraphs, and a 5xx even with a GraphQL body', async () => {
    const reviews = await misbehaving('graphql-503');
    const gateway = await startGateway({
      reviewsUrl: reviews.url,
      timeoutMs: 300,
      breaker: { failureThreshold: 2, resetMs: 60_000 },
    });
    const first = await gateway.query();
    expect(first.errors).toEqual([
      { message: 'Reviews are being restocked.', extensions: { code: 'UNAVAILABLE', serviceName: 'reviews' } },
    ]);
    reviews.mode = 'hang';
    const timedOut = await gateway.query();
    expect(timedOut.errors?.[0]?.message).toBe('The reviews subgraph timed out (no answer within 300 ms).');
    expect(reviews.requests).toBe(2);
    expectReviewsFailed(await gateway.query(), 'The reviews subgraph is unavailable (circuit open).', reviews.port);
    expect(reviews.requests).toBe(2);
  });

  it('does not count GraphQL errors in a 200 answer', async () => {
    const reviews = await misbehaving('graphql-errors');
    const gateway = await startGateway({ reviewsUrl: reviews.url, breaker: { failureThreshold: 2, resetMs: 60_000 } });
    for (let i = 0; i < 4; i++) await gateway.query();
    expect(reviews.requests).toBe(4);
  });

  describe('states, on an injected clock', () => {
    const logs: LogLine[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
    let time = 0;
    const breaker = () =>
      new CircuitBreaker({ name: 'reviews', failureThreshold: 2, resetMs: 1_000, logger, now: () => time });

    it('needs consecutive failures: a success in between starts the count again', () => {
      const circuit = breaker();
      circuit.admit()!.failed();
      circuit.admit()!.succeeded();
      circuit.admit()!.failed();
      expect(circuit.state).toBe('closed');
      circuit.admit()!.failed();
      expect(circuit.state).toBe('open');
    });

    it('lets exactly one trial through when half-open; failure re-opens, success closes', () => {
      time = 0;
      const circuit = breaker();
      circuit.admit()!.failed();
      circuit.admit()!.failed();
      expect(circuit.admit()).toBeUndefined();
      time = 999;
      expect(circuit.admit()).toBeUndefined();

      time = 1_000;
      const trial = circuit.admit()!;
      expect(circuit.state).toBe('half-open');
      expect(circuit.admit()).toBeUndefined();
      trial.failed();
      expect(circuit.state).toBe('open');
      time = 1_999;
      expect(circuit.admit()).toBeUndefined();

      time = 2_000;
      const second = circuit.admit()!;
      expect(circuit.admit()).toBeUndefined();
      second.succeeded();
      expect(circuit.state).toBe('closed');
      expect(circuit.admit()).toBeDefined();
    });

    it('lets another trial through when one is abandoned, and ignores outcomes from before it opened', () => {
      time = 0;
      const circuit = breaker();
      const old = circuit.admit()!;
      circuit.admit()!.failed();
      circuit.admit()!.failed();
      old.succeeded();
      expect(circuit.state).toBe('open');

      time = 1_000;
      circuit.admit()!.abandoned();
      expect(circuit.state).toBe('half-open');
      const trial = circuit.admit()!;
      trial.succeeded();
      trial.failed();
      expect(circuit.state).toBe('closed');
    });
  });
});

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
