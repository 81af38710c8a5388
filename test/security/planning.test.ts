import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Query planning runs off the event loop (execution/planning/): while one
 * client sends a stream of distinct, large, legal operations, each of which
 * Apollo's planner takes 50-200 ms over, another client's small query is
 * still answered at once. A production CLI gateway over the real subgraphs.
 */
let stack: TestStack;
let gateway: GatewayProcess;

beforeAll(async () => {
  stack = await startTestStack();
  // The large operations fan out to 444,420 by their estimated cost, over MAX_COST (50,000): this is about planning them.
  gateway = await startGatewayProcess(stack.supergraphSdl, { RATE_LIMIT: 'false', PLAN_TIMEOUT_MS: '5000', MAX_COST: '1000000' });
});

afterAll(async () => {
  await gateway?.stop();
  await stack?.close();
});

/** Distinct operations with 20 aliased root fields (the most allowed) crossing every subgraph: legal, and slow to plan. */
function largeOperation(seed: number): string {
  const level = (depth: number): string =>
    depth === 0 ? 'name inStock' : `name inStock shippingEstimate reviews { body author { username reviews { rating product { ${level(depth - 1)} } } } }`;
  const roots = Array.from({ length: 20 }, (_, index) => `p${seed}_${index}: product(upc: "${seed}-${index}") { ${level(2)} }`);
  return `query Large${seed} { ${roots.join(' ')} }`;
}

async function post(query: string): Promise<{ status: number; ms: number; body: { data?: unknown; errors?: { extensions?: { code?: string } }[] } }> {
  const started = performance.now();
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { data?: unknown };
  return { status: response.status, ms: performance.now() - started, body };
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;

describe('planning off the event loop', () => {
  it("keeps another client's small query fast while 30 large operations are planned", async () => {
    // Warm: the planning thread is started with the first new operation, and { me { id } }'s plan is cached.
    expect((await post('{ me { id } }')).status).toBe(200);

    let attacking = true;
    const attack = (async () => {
      const answers = [];
      for (let seed = 1; seed <= 30; seed++) answers.push(post(largeOperation(seed)));
      const done = await Promise.all(answers);
      attacking = false;
      return done;
    })();
    const small: number[] = [];
    while (attacking) small.push((await post('{ me { id } }')).ms);
    const large = await attack;

    expect(large.map((answer) => answer.status)).toEqual(Array(30).fill(200));
    expect(small.length).toBeGreaterThan(10);
    expect(percentile(small, 99)).toBeLessThan(100);
  });

  it('plans identical new operations once, however many arrive together', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(largeOperation(99))));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    const metrics = await (await fetch(new URL('/metrics', gateway.url))).text();
    const planned = (text: string) => Number(/junction_gateway_query_planning_duration_seconds_count\{outcome="planned"\} (\d+)/.exec(text)?.[1]);
    // The 30 large operations, { me { id } } and this one: 32 plans, not 41.
    expect(planned(metrics)).toBe(32);
  });

  it('refuses an operation over PLAN_TIMEOUT_MS, replaces the planning thread, and plans on', async () => {
    const strict = await startGatewayProcess(stack.supergraphSdl, { RATE_LIMIT: 'false', PLAN_TIMEOUT_MS: '20', MAX_COST: '1000000' });
    try {
      const send = async (query: string) => {
        const response = await fetch(strict.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
        return { status: response.status, body: (await response.json()) as { errors?: { message: string; extensions: { code: string } }[] } };
      };
      const refused = await send(largeOperation(7));
      expect(refused.status).toBe(400);
      expect(refused.body.errors?.[0]?.extensions.code).toBe('QUERY_PLANNING_TIMEOUT');
      expect(refused.body.errors?.[0]?.message).toBe('The operation takes too long to plan. Planning took longer than 20 ms.');
      // A small operation plans within 20 ms on the replacement thread, once it has loaded.
      let small = await send('{ __typename me { id } }');
      for (let attempt = 0; attempt < 20 && small.status !== 200; attempt++) small = await send(`{ __typename me { id } a${attempt}: __typename }`);
      expect(small.status).toBe(200);
    } finally {
      await strict.stop();
    }
  });
});
