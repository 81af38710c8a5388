import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '#gateway/fetch/circuit-breaker.js';
import type { LogLine } from '../../fixtures/fault-gateway.js';
import { LATEST_REVIEW, PRODUCTS } from '../../fixtures/fault-supergraph.js';
import { expectReviewsFailed, subgraphFaultHarness, timed } from '../../support/subgraph-fault-harness.js';

/**
 * The circuit breaker in front of each subgraph: after enough consecutive
 * failures the gateway stops asking a failing subgraph and fails fast, then
 * lets one trial through to find out whether it is back. Through a real
 * gateway and real servers, and its states on an injected clock.
 */
const { serveProducts, stopProducts, cleanUp, startGateway, misbehaving } = subgraphFaultHarness();

beforeAll(serveProducts);
afterAll(stopProducts);
afterEach(cleanUp);

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
