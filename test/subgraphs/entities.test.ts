import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#lib/logger.js';
import { migrateAll } from '#lib/migrate.js';
import type { BaseContext } from '@apollo/server';
import type { Subgraph, SubgraphDeps } from '#lib/subgraph/subgraph-server.js';
import { loadWorld } from '../../scripts/seed/load.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { createSubgraph as accounts } from '../../subgraphs/accounts/src/server.js';
import { createSubgraph as inventory } from '../../subgraphs/inventory/src/server.js';
import { createSubgraph as products } from '../../subgraphs/products/src/server.js';
import { createSubgraph as reviews } from '../../subgraphs/reviews/src/server.js';
import { shippingEstimate } from '../../subgraphs/inventory/src/shipping.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/stack.js';

/**
 * Each subgraph resolves its entities from references, through `_entities`,
 * as the gateway asks for them: no HTTP, real database.
 */
const world = generateWorld({ users: 30, products: 40, reviews: 150 });
let database: TestDatabase;
let deps: SubgraphDeps;

beforeAll(async () => {
  database = await createTestDatabase();
  await migrateAll(database.db);
  await loadWorld(database.db, world);
  const env = testEnv();
  deps = { db: database.db, env, logger: createLogger(env, 'test') };
});
afterAll(() => database?.close());

/** Asks a subgraph for entities, the way the gateway does. */
async function entities<TContext extends BaseContext>(
  subgraph: Subgraph<TContext>,
  representations: unknown[],
  selection: string,
): Promise<unknown[]> {
  const response = await subgraph.server.executeOperation(
    {
      query: `query($representations: [_Any!]!) { _entities(representations: $representations) { ${selection} } }`,
      variables: { representations },
    },
    { contextValue: subgraph.context({ requestId: 'test' }) },
  );
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  expect(response.body.singleResult.errors).toBeUndefined();
  return (response.body.singleResult.data as { _entities: unknown[] })._entities;
}

const user = (id: number) => world.users.find((u) => u.id === id)!;
const product = (index: number) => world.products[index]!;

describe('accounts', () => {
  it('resolves users by id, null for unknown ones', async () => {
    const result = await entities(
      accounts(deps),
      [{ __typename: 'User', id: '2' }, { __typename: 'User', id: '999999' }, { __typename: 'User', id: 'x' }],
      '... on User { id name username email createdAt }',
    );
    const u = user(2);
    expect(result).toEqual([
      { id: '2', name: u.name, username: u.username, email: u.email, createdAt: u.createdAt.toISOString() },
      null,
      null,
    ]);
  });
});

describe('products', () => {
  it('resolves products by upc', async () => {
    const p = product(3);
    const result = await entities(
      products(deps),
      [{ __typename: 'Product', upc: p.upc }, { __typename: 'Product', upc: '000000000000' }],
      '... on Product { upc name description price weight }',
    );
    expect(result).toEqual([
      { upc: p.upc, name: p.name, description: p.description, price: p.price, weight: p.weight },
      null,
    ]);
  });
});

describe('inventory', () => {
  it('resolves stock and works out shipping from the price and weight it is sent', async () => {
    const p = product(5);
    const quantity = world.stock.find((row) => row.upc === p.upc)!.quantity;
    const result = await entities(
      inventory(deps),
      [
        { __typename: 'Product', upc: p.upc, price: p.price, weight: p.weight },
        { __typename: 'Product', upc: '000000000000', price: 150_000, weight: 2500 },
      ],
      '... on Product { upc inStock quantity shippingEstimate }',
    );
    expect(result).toEqual([
      { upc: p.upc, inStock: quantity > 0, quantity, shippingEstimate: shippingEstimate(p.price, p.weight) },
      // Never stocked: zero units. Priced over $1,000: ships free.
      { upc: '000000000000', inStock: false, quantity: 0, shippingEstimate: 0 },
    ]);
  });
});

describe('reviews', () => {
  const newest = (list: typeof world.reviews, n: number) =>
    [...list].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id).slice(0, n);

  it('resolves reviews by id, with the author it provides', async () => {
    const r = world.reviews[6]!;
    const result = await entities(
      reviews(deps),
      [{ __typename: 'Review', id: String(r.id) }, { __typename: 'Review', id: '999999' }],
      '... on Review { id body rating author { id username } product { upc } }',
    );
    expect(result).toEqual([
      {
        id: String(r.id),
        body: r.body,
        rating: r.rating,
        author: { id: String(r.authorId), username: user(r.authorId).username },
        product: { upc: r.productUpc },
      },
      null,
    ]);
  });

  it("resolves a user's and a product's newest reviews, at most `first`", async () => {
    const u = user(1);
    const p = world.products.find((candidate) => world.reviews.some((r) => r.productUpc === candidate.upc))!;
    const result = await entities(
      reviews(deps),
      [{ __typename: 'User', id: '1' }, { __typename: 'Product', upc: p.upc }],
      '... on User { reviews(first: 2) { id } } ... on Product { reviews(first: 3) { id } }',
    );
    const ids = (list: typeof world.reviews) => list.map((r) => ({ id: String(r.id) }));
    expect(result).toEqual([
      { reviews: ids(newest(world.reviews.filter((r) => r.authorId === u.id), 2)) },
      { reviews: ids(newest(world.reviews.filter((r) => r.productUpc === p.upc), 3)) },
    ]);
  });
});
