import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnswerBudget } from '#gateway/fetch/transport.js';
import { LATEST_REVIEW, PRODUCTS } from '../../fixtures/fault-supergraph.js';
import { freePorts, run, type Running } from '../../support/processes.js';
import {
  expectReviewsFailed,
  failureLog,
  QUERY,
  subgraphFaultHarness,
  timed,
} from '../../support/subgraph-fault-harness.js';

/**
 * The gateway survives every way a subgraph can fail: down, killed, slow,
 * answering HTML, bad JSON, too much or half an answer. The broken subgraph's
 * field is null with a DOWNSTREAM_SERVICE_ERROR naming it and the kind of
 * failure, the other subgraph's data is intact, and nothing about where the
 * subgraph runs reaches the client. Real servers, a real gateway.
 */
const { serveProducts, stopProducts, cleanUp, startGateway, misbehaving } = subgraphFaultHarness();

beforeAll(serveProducts);
afterAll(stopProducts);
afterEach(cleanUp);

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

  it.each([
    ['huge', undefined],
    ['huge-declared', 512 * 1024 * 1024],
  ] as const)(
    "answering a body past the request's budget (MAX_RESPONSE_BYTES, %s) but within the subgraph's own limit: RESPONSE_TOO_LARGE, cut off early, the subgraph not blamed",
    async (mode, maxResponseBytes) => {
      const reviews = await misbehaving(mode);
      const gateway = await startGateway({ reviewsUrl: reviews.url, ...(maxResponseBytes ? { maxResponseBytes } : {}) });
      const result = await gateway.query(undefined, { budget: new AnswerBudget(64 * 1024) });
      // No part of the data: the products that did arrive are not an answer to the query.
      expect(result).toEqual({
        data: null,
        errors: [
          {
            message: "The answer is larger than this gateway's limit of 65536 bytes: ask for fewer fields or fewer items.",
            extensions: { code: 'RESPONSE_TOO_LARGE' },
          },
        ],
      });
      expect(await reviews.hugeAbortedAfter).toBeLessThan(32 * 1024 * 1024);
      // The request's doing, not the subgraph's: no error line for it.
      expect(gateway.logs.filter((line) => line.level >= 40)).toEqual([]);
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
