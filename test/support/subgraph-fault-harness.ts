import { expect } from 'vitest';
import type { GatewayContext } from '#gateway/fetch/data-source.js';
import {
  startFaultGateway,
  type FaultGateway,
  type FaultGatewayOptions,
  type LogLine,
  type Result,
} from '../fixtures/fault-gateway.js';
import { PRODUCTS, serveProducts, type ServedSubgraph } from '../fixtures/fault-supergraph.js';
import { startMisbehavingSubgraph, type MisbehavingSubgraph } from '../fixtures/misbehaving-subgraph.js';

/**
 * What the subgraph-fault tests share: a real gateway in front of a working
 * products subgraph and a reviews subgraph that fails in the way a test asks,
 * and the checks that the failure reached the client, and the log, as it should.
 */
export const QUERY = '{ products { upc name } latestReview { body } }';

export type TestGateway = Omit<FaultGateway, 'query'> & {
  query(query?: string, context?: Partial<GatewayContext>): Promise<Result>;
};

export type SubgraphFaultHarness = {
  /** Serves the working products subgraph (in beforeAll). */
  serveProducts(): Promise<void>;
  /** Stops it (in afterAll). */
  stopProducts(): Promise<void>;
  /** Stops every gateway and subgraph the last test started (in afterEach). */
  cleanUp(): Promise<void>;
  /** A gateway in front of the working products subgraph and the given reviews, stopped after the test. */
  startGateway(options: Omit<FaultGatewayOptions, 'productsUrl'>): Promise<TestGateway>;
  /** A reviews subgraph that misbehaves as told, stopped after the test. */
  misbehaving(...args: Parameters<typeof startMisbehavingSubgraph>): Promise<MisbehavingSubgraph>;
};

export function subgraphFaultHarness(): SubgraphFaultHarness {
  let products: ServedSubgraph | undefined;
  const cleanups: (() => Promise<unknown> | void)[] = [];

  return {
    async serveProducts() {
      products = await serveProducts();
    },
    async stopProducts() {
      await products?.stop();
    },
    async cleanUp() {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    },
    async startGateway(options) {
      if (!products) throw new Error('the products subgraph is not served: call serveProducts() in beforeAll');
      const gateway = await startFaultGateway({ productsUrl: products.url, ...options });
      cleanups.push(() => gateway.stop());
      return { ...gateway, query: (query = QUERY, context) => gateway.query(query, context) };
    },
    async misbehaving(...args) {
      const subgraph = await startMisbehavingSubgraph(...args);
      cleanups.push(() => subgraph.stop());
      return subgraph;
    },
  };
}

/** The answer when reviews failed: its field null, one error naming it, products intact, nothing leaked. */
export function expectReviewsFailed(result: Result, message: string, port: number) {
  expect(result.data).toEqual({ products: PRODUCTS, latestReview: null });
  expect(result.errors).toEqual([
    { message, extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'reviews' } },
  ]);
  const text = JSON.stringify(result.errors);
  for (const leak of ['127.0.0.1', 'localhost', String(port), 'ECONNREFUSED', 'ECONNRESET', '<html', 'http:']) {
    expect(text).not.toContain(leak);
  }
}

/** The gateway's log line for the failed fetch. */
export function failureLog(gateway: TestGateway): LogLine {
  const line = gateway.logs.find((entry) => entry.msg === 'subgraph fetch failed');
  if (!line) throw new Error(`no failure logged: ${JSON.stringify(gateway.logs)}`);
  return line;
}

export async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work;
  return { value, ms: performance.now() - started };
}
