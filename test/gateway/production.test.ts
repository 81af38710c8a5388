import { count, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviews } from '../../subgraphs/reviews/src/db/schema.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { codes } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * With NODE_ENV=production, clients keep the codes they can act on and never
 * see internals: no stack trace, no SQL, no address of a subgraph.
 */
const world = generateWorld({ users: 10, products: 10, reviews: 30 });
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(world, { NODE_ENV: 'production', GATEWAY_SECRET: 'a-production-secret-of-at-least-32-chars' });
});
afterAll(() => stack?.close());

/** What must never appear in a production response body. */
function expectNoInternals(body: unknown) {
  const text = JSON.stringify(body);
  for (const leak of [/stacktrace/i, /select /i, /relation /i, /localhost/, /127\.0\.0\.1/, /ECONNREFUSED/, /\.ts:\d+/]) {
    expect(text).not.toMatch(leak);
  }
}

describe('in production', () => {
  it("keeps a subgraph's error codes and fields", async () => {
    const result = await stack.query(
      `mutation($email: String!) { createUser(input: { name: "X", username: "someone_new", email: $email }) { id } }`,
      { email: world.users[0]!.email },
    );
    expect(result.errors).toEqual([
      {
        message: 'An account with this email already exists.',
        path: ['createUser'],
        extensions: {
          code: 'BAD_USER_INPUT',
          field: 'email',
          serviceName: 'accounts',
          requestId: result.headers.get('x-request-id'),
        },
      },
    ]);
  });

  it('turns a database failure into INTERNAL_SERVER_ERROR, keeping the rest of the data', async () => {
    await stack.database.db.execute(sql`alter table reviews.authors rename to authors_moved`);
    try {
      const result = await stack.query('{ review(id: "1") { id author { username } } }');
      expect(result.data).toEqual({ review: { id: '1', author: null } });
      expect(codes(result)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(result.errors![0]!.message).toBe('Internal server error');
      expectNoInternals(result);
    } finally {
      await stack.database.db.execute(sql`alter table reviews.authors_moved rename to authors`);
    }
  });

  it('reports a subgraph that is down by name, not by address, with partial data', async () => {
    await stack.subgraphs.inventory!.stop();
    const result = await stack.query<{ users: unknown[]; product: unknown }>(
      `query($upc: String!) { users(first: 2) { id } product(upc: $upc) { name inStock } }`,
      { upc: world.products[0]!.upc },
    );
    expect(result.data).toEqual({ users: [{ id: '1' }, { id: '2' }], product: null });
    expect(codes(result)).toEqual(['DOWNSTREAM_SERVICE_ERROR']);
    expect(result.errors![0]!.message).toBe('The inventory subgraph is unreachable.');
    expectNoInternals(result);
  });

  it('writes nothing when a subgraph a mutation depends on is down', async () => {
    await stack.subgraphs.products!.stop();
    const before = (await stack.database.db.select({ n: count() }).from(reviews))[0]!.n;
    const result = await stack.query(
      `mutation($upc: String!) { createReview(input: { upc: $upc, rating: 5, body: "Great" }) { id } }`,
      { upc: world.products[0]!.upc },
      await stack.signIn(1),
    );
    expect(codes(result)).toEqual(['DOWNSTREAM_SERVICE_ERROR']);
    expectNoInternals(result);
    expect((await stack.database.db.select({ n: count() }).from(reviews))[0]!.n).toBe(before);
  });
});
