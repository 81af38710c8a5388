import { afterAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../scripts/seed/world.js';
import { BENCHMARK_QUERY } from '../support/oracle.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * DataLoader at work: the benchmark query resolves hundreds of entities, yet
 * costs the same small number of SQL statements on a tiny database and on the
 * full seed, because every list and every reference is fetched in one batch.
 */
const stacks: TestStack[] = [];
afterAll(async () => {
  for (const stack of stacks) await stack.close();
});

async function statementsFor(world: ReturnType<typeof generateWorld>) {
  const stack = await startTestStack(world);
  stacks.push(stack);
  stack.statements.length = 0;
  const result = await stack.query(BENCHMARK_QUERY);
  expect(result.errors).toBeUndefined();
  return { statements: [...stack.statements], entities: JSON.stringify(result.data).match(/"id":/g)!.length };
}

describe('SQL statements per query', () => {
  it('are bounded whatever the list sizes', async () => {
    const small = await statementsFor(generateWorld({ users: 12, products: 15, reviews: 40 }));
    const full = await statementsFor(generateWorld());

    expect(full.entities).toBeGreaterThan(small.entities * 5);
    expect(full.statements.length).toBe(small.statements.length);
    // The query plan has 17 subgraph fetches; each costs one statement per
    // loader it uses (a product's reviews also need their authors): 21 in all.
    expect(full.statements.length).toBeLessThanOrEqual(21);
    expect(full.entities).toBeGreaterThan(1000);
  });
});
