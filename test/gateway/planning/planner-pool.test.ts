import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlanFunction, loadSupergraph, type PlanReply, type PlanRequest } from '#gateway/execution/planning/build-planner.js';
import { createPlannerPool, type PlannerPool } from '#gateway/execution/planning/planner-pool.js';
import { supergraphForGateway } from '#gateway/stages/authorization/authorization.js';

/**
 * Planning threads give the plans the gateway's own thread gives: the same
 * planner, the supergraph loaded the same way, the plan cloned across.
 */
const sdl = supergraphForGateway(readFileSync('supergraph.graphql', 'utf8'));
const here = createPlanFunction(loadSupergraph(sdl));
const pools: PlannerPool[] = [];
afterAll(() => Promise.all(pools.map((pool) => pool.close())));

function pool(options: { threads?: number; timeoutMs?: number; onTimeout?: () => void } = {}): PlannerPool {
  const made = createPlannerPool({ supergraphSdl: sdl, threads: options.threads ?? 1, timeoutMs: options.timeoutMs ?? 10_000, onTimeout: options.onTimeout });
  pools.push(made);
  return made;
}

const OPERATIONS = [
  '{ topProducts(first: 3) { upc name price } }',
  'query Reviews($skip: Boolean!) { topProducts(first: 2) { name reviews { body author @skip(if: $skip) { username } } } }',
  '{ me { username reviews { product { name inStock shippingEstimate } } } }',
  'fragment P on Product { upc name } { topProducts { ...P weight reviews { author { ...on User { username } } } } }',
  'mutation { __typename }',
  '{ nope }',
];

/** The plan as the thread sends it: without the parsed documents of its fetches, which are not cloned. */
function comparable(reply: PlanReply): unknown {
  return JSON.parse(JSON.stringify(reply, (key, value: unknown) => (key === 'operationDocumentNode' ? undefined : value)));
}

describe('planning threads', () => {
  it('plan each operation as the gateway thread does', async () => {
    const threads = pool();
    for (const text of OPERATIONS) {
      const request: PlanRequest = { text, operationName: undefined, overrides: undefined };
      const there = await threads.plan(request);
      expect(comparable(there), text).toEqual(comparable(here(request, parse(text))));
      expect(there.ok, text).toBe(text !== '{ nope }');
    }
  });

  it('refuse a plan over the time budget (test/security/planning.test.ts: and plan on)', async () => {
    let timeouts = 0;
    const threads = pool({ timeoutMs: 1, onTimeout: () => timeouts++ });
    const slow = await threads.plan({ text: OPERATIONS[2]!, operationName: undefined, overrides: undefined });
    expect(slow).toMatchObject({ ok: false, kind: 'timeout' });
    expect(timeouts).toBe(1);
  });

  it('queue operations sent together for a thread', async () => {
    const threads = pool();
    const [first, second] = await Promise.all(OPERATIONS.slice(0, 2).map((text) => threads.plan({ text, operationName: undefined, overrides: undefined })));
    expect(first).toMatchObject({ ok: true });
    expect(second).toMatchObject({ ok: true });
  });
});
