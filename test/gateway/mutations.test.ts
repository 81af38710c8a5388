import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../subgraphs/accounts/src/db/schema.js';
import { stock } from '../../subgraphs/inventory/src/db/schema.js';
import { products } from '../../subgraphs/products/src/db/schema.js';
import { authors, reviews } from '../../subgraphs/reviews/src/db/schema.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { codes } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** Writes through the gateway, read back through it; bad input writes nothing. */
const world = generateWorld({ users: 20, products: 30, reviews: 60 });
let stack: TestStack;
/** A member of staff: may see emails and change the catalogue and stock. */
let staff: Record<string, string>;

beforeAll(async () => {
  stack = await startTestStack(world);
  staff = await stack.signIn(1, ['read:email', 'write:products', 'write:inventory']);
});
afterAll(() => stack?.close());

/** Row counts of every table, to show a refused mutation wrote nothing. */
async function rowCounts() {
  const db = stack.database.db;
  const counted = async (table: typeof users | typeof products | typeof stock | typeof reviews | typeof authors) =>
    (await db.select({ n: count() }).from(table))[0]!.n;
  return {
    users: await counted(users),
    products: await counted(products),
    stock: await counted(stock),
    reviews: await counted(reviews),
    authors: await counted(authors),
  };
}

async function expectRefused(
  operation: string,
  variables: Record<string, unknown>,
  code: string,
  headers: Record<string, string> = {},
) {
  const before = await rowCounts();
  const result = await stack.query(operation, variables, headers);
  expect(codes(result)).toEqual([code]);
  expect(await rowCounts()).toEqual(before);
  return result;
}

const CREATE_REVIEW = `mutation($input: CreateReviewInput!) {
  createReview(input: $input) { id rating body author { id username name } product { upc name } }
}`;

describe('createReview', () => {
  const product = world.products[4]!;

  it('publishes a review that reads back through the gateway', async () => {
    const author = world.users[2]!;
    const created = await stack.query<{ createReview: { id: string } }>(
      CREATE_REVIEW,
      { input: { upc: product.upc, rating: 4, body: '  Sturdy, and the colour is as pictured.  ' } },
      await stack.signIn(author.id),
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createReview).toMatchObject({
      rating: 4,
      body: 'Sturdy, and the colour is as pictured.',
      author: { id: String(author.id), username: author.username, name: author.name },
      product: { upc: product.upc, name: product.name },
    });

    const { id } = created.data!.createReview;
    const read = await stack.query(
      `query($id: ID!, $upc: String!) {
        review(id: $id) { body author { name } }
        product(upc: $upc) { reviews(first: 1) { id } }
      }`,
      { id, upc: product.upc },
    );
    expect(read.data).toEqual({
      review: { body: 'Sturdy, and the colour is as pictured.', author: { name: author.name } },
      product: { reviews: [{ id }] },
    });
  });

  it('lets a user who signed up a moment ago review, learning their username from accounts', async () => {
    const signedUp = await stack.query<{ createUser: { id: string } }>(
      'mutation { createUser(input: { name: "Grace Hopper", username: "grace", email: "grace@example.org" }) { id } }',
    );
    const userId = Number(signedUp.data!.createUser.id);
    const created = await stack.query(
      CREATE_REVIEW,
      { input: { upc: product.upc, rating: 5, body: 'Works first time.' } },
      await stack.signIn(userId),
    );
    expect(created.errors).toBeUndefined();
    expect(created.data).toMatchObject({ createReview: { author: { username: 'grace', name: 'Grace Hopper' } } });
  });

  it('refuses an anonymous caller', async () => {
    await expectRefused(CREATE_REVIEW, { input: { upc: product.upc, rating: 5, body: 'Great' } }, 'UNAUTHENTICATED');
  });

  it.each([
    ['a rating of 6', { rating: 6, body: 'Great' }, 'rating'],
    ['a rating of 0', { rating: 0, body: 'Great' }, 'rating'],
    ['an empty body', { rating: 5, body: '   ' }, 'body'],
    ['a body over 5,000 characters', { rating: 5, body: 'x'.repeat(5001) }, 'body'],
  ])('refuses %s with BAD_USER_INPUT', async (_case, input, field) => {
    const result = await expectRefused(
      CREATE_REVIEW,
      { input: { upc: product.upc, ...input } },
      'BAD_USER_INPUT',
      await stack.signIn(1),
    );
    expect(result.errors![0]!.extensions!.field).toBe(field);
  });

  it('refuses an unknown product with NOT_FOUND', async () => {
    await expectRefused(
      CREATE_REVIEW,
      { input: { upc: '999999999999', rating: 5, body: 'Great' } },
      'NOT_FOUND',
      await stack.signIn(1),
    );
  });
});

describe('createUser', () => {
  const CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) { id name username email createdAt } }`;

  it('opens an account, normalising the username and email', async () => {
    const result = await stack.query(CREATE_USER, {
      input: { name: 'Ada Lovelace', username: 'Ada_L', email: 'Ada@Example.COM' },
    }, staff);
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({
      createUser: { name: 'Ada Lovelace', username: 'ada_l', email: 'ada@example.com' },
    });
  });

  it.each([
    ['a duplicate email, in any case', { name: 'X', username: 'fresh_name', email: world.users[0]!.email.toUpperCase() }, 'email'],
    ['a duplicate username', { name: 'X', username: world.users[1]!.username, email: 'fresh@example.net' }, 'username'],
    ['an invalid email', { name: 'X', username: 'fresh_name', email: 'not-an-email' }, 'email'],
    ['a too short username', { name: 'X', username: 'ab', email: 'fresh@example.net' }, 'username'],
    ['an empty name', { name: ' ', username: 'fresh_name', email: 'fresh@example.net' }, 'name'],
  ])('refuses %s with BAD_USER_INPUT', async (_case, input, field) => {
    const result = await expectRefused(CREATE_USER, { input }, 'BAD_USER_INPUT', staff);
    expect(result.errors![0]!.extensions!.field).toBe(field);
  });
});

describe('createProduct and updateProduct', () => {
  it('adds a product whose shipping the inventory subgraph estimates', async () => {
    const result = await stack.query(
      `mutation { createProduct(input: { upc: "400000000017", name: "Cast Iron Skillet", price: 3999, weight: 2300 }) {
        upc name description price inStock quantity shippingEstimate } }`,
      {},
      staff,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      createProduct: {
        upc: '400000000017',
        name: 'Cast Iron Skillet',
        description: '',
        price: 3999,
        inStock: false,
        quantity: 0,
        shippingEstimate: 300,
      },
    });
  });

  it('changes only the fields sent, and the new price reaches shippingEstimate', async () => {
    const product = world.products[0]!;
    const result = await stack.query(
      `mutation($upc: String!) { updateProduct(upc: $upc, input: { price: 150000 }) { name price shippingEstimate } }`,
      { upc: product.upc },
      staff,
    );
    expect(result.data).toEqual({ updateProduct: { name: product.name, price: 150000, shippingEstimate: 0 } });
  });

  it('refuses a duplicate UPC with BAD_USER_INPUT', async () => {
    await expectRefused(
      'mutation($upc: String!) { createProduct(input: { upc: $upc, name: "Copy", price: 1, weight: 1 }) { upc } }',
      { upc: world.products[1]!.upc },
      'BAD_USER_INPUT',
      staff,
    );
  });

  it.each([
    ['a negative price', '{ price: -1 }', 'BAD_USER_INPUT'],
    ['an empty name', '{ name: "" }', 'BAD_USER_INPUT'],
    ['an explicit null', '{ weight: null }', 'BAD_USER_INPUT'],
  ])('refuses %s', async (_case, input, code) => {
    await expectRefused(
      `mutation($upc: String!) { updateProduct(upc: $upc, input: ${input}) { upc } }`,
      { upc: world.products[2]!.upc },
      code,
      staff,
    );
  });

  it('refuses an unknown UPC with NOT_FOUND', async () => {
    await expectRefused('mutation { updateProduct(upc: "999999999999", input: { price: 5 }) { upc } }', {}, 'NOT_FOUND', staff);
  });
});

describe('who may write', () => {
  it.each([
    ['createProduct', 'mutation { createProduct(input: { upc: "400000000024", name: "Pan", price: 1, weight: 1 }) { upc } }', {}],
    ['restock', 'mutation($upc: String!) { restock(upc: $upc, quantity: 1) { upc } }', { upc: world.products[4]!.upc }],
  ])('refuses %s without its scope, writing nothing', async (_name, operation, variables) => {
    await expectRefused(operation, variables, 'FORBIDDEN', await stack.signIn(2));
    await expectRefused(operation, variables, 'UNAUTHENTICATED');
  });
});

describe('restock', () => {
  const RESTOCK = `mutation($upc: String!, $quantity: Int!) { restock(upc: $upc, quantity: $quantity) { upc name inStock quantity } }`;

  it('adds the units that arrived', async () => {
    const product = world.products[3]!;
    const before = world.stock.find((row) => row.upc === product.upc)!.quantity;
    const result = await stack.query(RESTOCK, { upc: product.upc, quantity: 25 }, staff);
    expect(result.data).toEqual({
      restock: { upc: product.upc, name: product.name, inStock: true, quantity: before + 25 },
    });
    const [row] = await stack.database.db.select().from(stock).where(eq(stock.upc, product.upc));
    expect(row!.quantity).toBe(before + 25);
  });

  it('refuses an unknown UPC with NOT_FOUND', async () => {
    await expectRefused(RESTOCK, { upc: '999999999999', quantity: 5 }, 'NOT_FOUND', staff);
  });

  it.each([0, -3, 1_000_001])('refuses a quantity of %i with BAD_USER_INPUT', async (quantity) => {
    await expectRefused(RESTOCK, { upc: world.products[3]!.upc, quantity }, 'BAD_USER_INPUT', staff);
  });
});
