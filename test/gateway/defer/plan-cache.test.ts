import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../../scripts/seed/world.js';
import { APOLLO_CLIENT_ACCEPT } from '../../support/multipart.js';
import { startTestStack, type TestStack } from '../../support/stack.js';

/**
 * Only an operation with @defer plans with incremental delivery: a plain
 * operation has one plan, under one key, whichever client sends it; an
 * operation with @defer has two, one for clients that read parts and one for
 * the rest. Counted by the gateway's own metrics.
 */
const world = generateWorld();
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(world, { METRICS: 'true' });
});
afterAll(() => stack?.close());

const HITS = 'junction_gateway_plan_cache_hits_total';
const MISSES = 'junction_gateway_plan_cache_misses_total';
const PLANNED = 'junction_gateway_query_planning_duration_seconds_count';

async function counts(): Promise<[number, number, number]> {
  const text = await (await fetch(new URL('/metrics', stack.gatewayUrl))).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return [sum(MISSES), sum(HITS), sum(PLANNED)];
}

/** How much [misses, hits, plans] grew while `work` ran. */
async function growth(work: () => Promise<unknown>): Promise<[number, number, number]> {
  const before = await counts();
  await work();
  const after = await counts();
  return after.map((value, index) => value - before[index]!) as [number, number, number];
}

const send = (query: string, accept: string) =>
  fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query }) }).then((res) => res.text());

describe('plans', () => {
  it('a plain operation is planned once, and every client then hits that one plan', async () => {
    const query = `query PlainOnce { product(upc: "${world.products[0]!.upc}") { upc name } }`;
    expect(await growth(() => send(query, APOLLO_CLIENT_ACCEPT))).toEqual([1, 0, 1]);
    expect(await growth(() => send(query, 'application/json'))).toEqual([0, 1, 0]);
    expect(await growth(() => send(query, APOLLO_CLIENT_ACCEPT))).toEqual([0, 1, 0]);
  });

  it('an operation with @defer is planned with incremental delivery, and once more without for clients that want it whole', async () => {
    const query = `query DeferOnce { product(upc: "${world.products[0]!.upc}") { upc ... @defer { name } } }`;
    expect(await growth(() => send(query, 'application/json'))).toEqual([1, 0, 2]);
    expect(await growth(() => send(query, 'application/json'))).toEqual([0, 1, 0]);
    expect(await growth(() => send(query, APOLLO_CLIENT_ACCEPT))).toEqual([0, 1, 0]);
  });
});
