import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../scripts/seed/world.js';
import { PRODUCTION_SECRET, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * MAX_RESPONSE_BYTES (10 MB by default): a small, legal query must not make
 * the gateway fetch and hold an answer of any size. Past the limit the
 * gateway stops fetching and writing and answers RESPONSE_TOO_LARGE, having
 * held at most about that much for the answer. Production CLI gateways over
 * the real subgraphs and the seed world (1,000 products, 5,000 reviews by 200
 * users); MAX_COST is raised so that the size limit is what refuses.
 */
let stack: TestStack;
let gateway: GatewayProcess;

/**
 * 700 bytes of query, depth 9, within every request limit: each product's
 * reviews' authors' reviews' products' reviews' authors' reviews, about
 * 300,000 review bodies. The subgraphs are asked for each distinct entity once
 * (a few MB of answers in all); the answer repeats them: 39 MB of JSON.
 */
const AMPLIFIED = `{ topProducts(first: 100) { name reviews { body author { username reviews { body product { name reviews { body author { username reviews { body rating } } } } } } } } }`;

/** 30 aliases of each product's description: one subgraph's answer alone passes a small limit. */
const WIDE = `{ topProducts(first: 100) { ${Array.from({ length: 30 }, (_, index) => `d${index}: description`).join(' ')} reviews { body } } }`;

const TOO_LARGE = (limit: number) => ({
  data: null,
  errors: [
    {
      message: `The answer is larger than this gateway's limit of ${limit} bytes: ask for fewer fields or fewer items.`,
      extensions: { code: 'RESPONSE_TOO_LARGE', requestId: expect.any(String) },
    },
  ],
});

beforeAll(async () => {
  stack = await startTestStack(generateWorld(), { GATEWAY_SECRET: PRODUCTION_SECRET });
  gateway = await startGatewayProcess(stack.supergraphSdl, { RATE_LIMIT: 'false', MAX_COST: '100000000' });
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await stack?.close();
});

async function post(url: string, query: string) {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const text = await response.text();
  return { status: response.status, ms: performance.now() - started, bytes: Buffer.byteLength(text), body: JSON.parse(text) as unknown };
}

/** The most memory the process has held at once (its peak resident set), in MiB. */
async function peakMiB(gatewayProcess: GatewayProcess): Promise<number> {
  const status = await readFile(`/proc/${gatewayProcess.running.child.pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)![1]) / 1024;
}

/** SQL statements the subgraphs ran on the reviews table since `from`. */
const reviewQueries = (from: number) => stack.statements.slice(from).filter((sql) => /\bfrom "reviews"/i.test(sql)).length;

describe('MAX_RESPONSE_BYTES', () => {
  it('answers RESPONSE_TOO_LARGE to an amplifying query by default, holding about the limit, and serves the next request', async () => {
    const before = await peakMiB(gateway);
    const answer = await post(gateway.url, AMPLIFIED);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(TOO_LARGE(10 * 1024 * 1024));
    // The answer was never written out: the gateway held its subgraphs' answers and at most 10 MB of text (80 MiB here; 285-390 without the limit).
    expect((await peakMiB(gateway)) - before).toBeLessThan(150);
    const next = await post(gateway.url, '{ topProducts(first: 2) { name } }');
    expect(next.body).toEqual({ data: { topProducts: [expect.objectContaining({ name: expect.any(String) }), expect.anything()] } });
  });

  it('is a real amplification: without the limit the same query answers over 30 MB', async () => {
    const unlimited = await startGatewayProcess(stack.supergraphSdl, { RATE_LIMIT: 'false', MAX_COST: '100000000', MAX_RESPONSE_BYTES: '0' });
    try {
      const before = await peakMiB(unlimited);
      const answer = await post(unlimited.url, AMPLIFIED);
      expect(answer.status).toBe(200);
      expect(answer.bytes).toBeGreaterThan(30 * 1024 * 1024);
      // What the limit saves: the unlimited gateway held the whole answer, and more.
      expect((await peakMiB(unlimited)) - before).toBeGreaterThan(200);
    } finally {
      await unlimited.stop();
    }
  }, 120_000);

  it('stops fetching once the subgraphs’ answers pass the limit: the fetches after it are never sent', async () => {
    const small = await startGatewayProcess(stack.supergraphSdl, { RATE_LIMIT: 'false', MAX_COST: '100000000', MAX_RESPONSE_BYTES: '100000' });
    try {
      const from = stack.statements.length;
      const answer = await post(small.url, WIDE);
      expect(answer.body).toEqual(TOO_LARGE(100_000));
      // The products' answer (30 descriptions each) was cut off: the reviews were never asked for.
      expect(reviewQueries(from)).toBe(0);
      // Under the limit, the same gateway answers in full.
      const fits = await post(small.url, '{ topProducts(first: 100) { name reviews { body } } }');
      expect(fits.bytes).toBeLessThan(100_000);
      expect((fits.body as { data: { topProducts: unknown[] } }).data.topProducts).toHaveLength(100);
    } finally {
      await small.stop();
    }
  }, 60_000);

  it('counts a batch as one answer', async () => {
    // No operation alone passes 40,000 bytes; three together do.
    const batching = await startGatewayProcess(stack.supergraphSdl, {
      RATE_LIMIT: 'false',
      MAX_COST: '100000000',
      MAX_RESPONSE_BYTES: '40000',
      ALLOW_BATCHING: 'true',
    });
    try {
      const query = '{ topProducts(first: 100) { name description } }';
      const alone = await post(batching.url, query);
      expect(alone.bytes).toBeGreaterThan(15_000);
      expect(alone.bytes).toBeLessThan(19_000);
      const response = await fetch(batching.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ query }, { query }, { query }]),
      });
      const answers = (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] }[];
      expect(answers.map((answer) => answer.errors?.[0]?.extensions.code ?? 'ok')).toEqual(['ok', 'ok', 'RESPONSE_TOO_LARGE']);
    } finally {
      await batching.stop();
    }
  }, 60_000);
});
