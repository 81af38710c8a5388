import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../scripts/seed/world.js';
import { codes } from '../support/graphql.js';
import { BENCHMARK_QUERY, benchmarkAnswer } from '../support/oracle.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** A frontend's queries, through the gateway over HTTP, against the seed data. */
const world = generateWorld();
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(world);
});
afterAll(() => stack?.close());

describe('the benchmark query', () => {
  it('answers with exactly the data the seed holds, across all four subgraphs', async () => {
    const result = await stack.query(BENCHMARK_QUERY);
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(benchmarkAnswer(world));
  });
});

describe('cross-subgraph queries', () => {
  it('joins a user from accounts with their reviews and the reviewed products', async () => {
    const result = await stack.query(
      `{ user(id: "1") { name username email reviews(first: 2) { rating product { name price inStock quantity } } } }`,
      {},
      // email is personal data: @requiresScopes(scopes: [["read:email"]]).
      await stack.signIn(2, ['read:email']),
    );
    const user = world.users[0]!;
    const reviews = world.reviews
      .filter((review) => review.authorId === 1)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
      .slice(0, 2);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      user: {
        name: user.name,
        username: user.username,
        email: user.email,
        reviews: reviews.map((review) => {
          const product = world.products.find((p) => p.upc === review.productUpc)!;
          const quantity = world.stock.find((row) => row.upc === product.upc)!.quantity;
          return {
            rating: review.rating,
            product: { name: product.name, price: product.price, inStock: quantity > 0, quantity },
          };
        }),
      },
    });
  });

  it('pages through the catalogue with cursors, in UPC order', async () => {
    const page = `query($after: String) {
      products(first: 3, after: $after) { edges { cursor node { upc name } } pageInfo { hasNextPage endCursor } }
    }`;
    type Page = {
      products: { edges: { node: { upc: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    };
    const first = await stack.query<Page>(page);
    const second = await stack.query<Page>(page, { after: first.data!.products.pageInfo.endCursor });
    const upcs = [...world.products.map((p) => p.upc)].sort();
    expect(first.data!.products.edges.map((edge) => edge.node.upc)).toEqual(upcs.slice(0, 3));
    expect(second.data!.products.edges.map((edge) => edge.node.upc)).toEqual(upcs.slice(3, 6));
    expect(second.data!.products.pageInfo.hasNextPage).toBe(true);
  });

  it('answers null for ids that name nothing', async () => {
    const result = await stack.query(`{
      user(id: "999999") { id } product(upc: "000000000000") { upc } review(id: "not-a-number") { id }
    }`);
    expect(result).toMatchObject({ data: { user: null, product: null, review: null } });
    expect(result.errors).toBeUndefined();
  });
});

describe('bounded lists and bad arguments', () => {
  it.each([
    ['{ users(first: 101) { id } }', 'first'],
    ['{ users(first: 0) { id } }', 'first'],
    ['{ topProducts(first: 1000) { upc } }', 'first'],
    ['{ products(after: "bm90LWEtY3Vyc29y") { edges { cursor } } }', 'after'],
    ['{ user(id: "1") { reviews(first: 500) { id } } }', 'first'],
  ])('%s is BAD_USER_INPUT', async (query, field) => {
    const result = await stack.query(query);
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0]!.extensions!.field).toBe(field);
  });
});

describe('the viewer', () => {
  it('is null for an anonymous caller', async () => {
    const result = await stack.query('{ me { id } }');
    expect(result.data).toEqual({ me: null });
  });

  it('is the signed-in user, from the JWT the gateway verified', async () => {
    const result = await stack.query('{ me { id username } }', {}, await stack.signIn(7));
    expect(result.data).toEqual({ me: { id: '7', username: world.users[6]!.username } });
  });

  it('refuses a forged token with 401 UNAUTHENTICATED', async () => {
    const result = await stack.query('{ me { id } }', {}, { authorization: 'Bearer not.a.token' });
    expect(result.status).toBe(401);
    expect(codes(result)).toEqual(['UNAUTHENTICATED']);
    expect(result.data).toBeUndefined();
  });
});

describe('what IDEs and clients rely on', () => {
  it('can be introspected', async () => {
    const result = await stack.query<{ __schema: { types: { name: string }[] } }>(
      '{ __schema { queryType { name } types { name } } }',
    );
    const names = result.data!.__schema.types.map((type) => type.name);
    expect(names).toEqual(expect.arrayContaining(['User', 'Product', 'Review', 'ProductConnection', 'DateTime']));
    // Federation's plumbing is not part of the public schema.
    expect(names).not.toContain('_Entity');
  });

  it('echoes the request id it was given, or makes one', async () => {
    const given = await stack.query('{ __typename }', {}, { 'x-request-id': 'trace-abc-123' });
    expect(given.headers.get('x-request-id')).toBe('trace-abc-123');
    const made = await stack.query('{ __typename }');
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
