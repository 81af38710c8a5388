import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClientSchema, printSchema, type IntrospectionQuery } from 'graphql';
import { apiSchemaOf } from '#tooling/api-schema.js';
import { withDeferDirective } from '#gateway/execution/defer/defer-directive.js';
import { readContractsConfig } from '#tooling/contracts.js';
import { createApiKey } from '#gateway/stages/identify/api-keys.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { codes, GRAPHIQL_INTROSPECTION_QUERY } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The partner contract through the whole supergraph over HTTP: the API keys
 * (and tokens) of the client CONTRACT_CLIENTS maps to it see and query only
 * what is tagged `partner`, introspection included; everyone else sees the
 * full supergraph.
 */
const world = generateWorld({ users: 4, products: 6, reviews: 10 });
let stack: TestStack;
let partner: Record<string, string>;
let web: Record<string, string>;

type Manifest = { operations: { name: string; body: string }[] };
let registered: Record<string, string>;

beforeAll(async () => {
  const { contracts } = await readContractsConfig('contracts.yaml');
  stack = await startTestStack(world, { CONTRACT_CLIENTS: 'acme=partner' }, { contracts });
  const acme = await createApiKey(stack.database.db, { name: 'Acme integration', client: 'acme', scopes: ['write:inventory'] });
  const shop = await createApiKey(stack.database.db, { name: 'Web shop', client: 'web', scopes: ['read:email'] });
  partner = { 'x-api-key': acme.key };
  web = { 'x-api-key': shop.key };
  const manifest = JSON.parse(await readFile('trusted-documents/partner.json', 'utf8')) as Manifest;
  registered = Object.fromEntries(manifest.operations.map(({ name, body }) => [name, body]));
});
afterAll(() => stack?.close());

const INTROSPECTION = `{
  user: __type(name: "User") { name }
  product: __type(name: "Product") { fields { name } }
  __schema { types { name } queryType { fields { name } } mutationType { fields { name } } }
}`;

type Introspected = {
  user: { name: string } | null;
  product: { fields: { name: string }[] };
  __schema: { types: { name: string }[]; queryType: { fields: { name: string }[] }; mutationType: { fields: { name: string }[] } };
};

const names = (list: { name: string }[]) => list.map(({ name }) => name).filter((name) => !name.startsWith('__')).sort();

describe('a partner key', () => {
  it('introspects only the contract: no User, no untagged field', async () => {
    const result = await stack.query<Introspected>(INTROSPECTION, {}, partner);
    expect(result.errors).toBeUndefined();
    const { user, product, __schema: schema } = result.data!;
    expect(user).toBeNull();
    expect(names(product.fields)).toEqual(['description', 'inStock', 'name', 'price', 'quantity', 'reviews', 'shippingEstimate', 'upc', 'weight']);
    expect(names(schema.types)).toEqual([
      'Boolean', 'DateTime', 'ID', 'Int', 'Mutation', 'PageInfo', 'Product', 'ProductConnection', 'ProductEdge', 'Query', 'Review', 'String', 'Subscription',
    ]);
    expect(names(schema.queryType.fields)).toEqual(['product', 'products', 'review', 'topProducts']);
    expect(names(schema.mutationType.fields)).toEqual(['restock']);
  });

  it("rebuilds exactly the contract's API schema from GraphiQL's introspection query, every option on", async () => {
    const result = await stack.query<IntrospectionQuery>(GRAPHIQL_INTROSPECTION_QUERY, {}, partner);
    expect(result.errors).toBeUndefined();
    const contract = apiSchemaOf(await readFile('contracts/partner.graphql', 'utf8'));
    // With @defer, which every API schema Junction serves declares (as Apollo Router's does).
    expect(printSchema(buildClientSchema(result.data!))).toBe(printSchema(withDeferDirective(contract)));
  });

  it('cannot query an untagged field: the query fails validation and nothing is fetched', async () => {
    const upc = world.products[0]!.upc;
    for (const query of [
      '{ me { id } }',
      `{ product(upc: "${upc}") { name createdAt } }`,
      '{ review(id: "1") { body author { username } } }',
      'mutation { createReview(input: { upc: "1", rating: 5, body: "Great" }) { id } }',
    ]) {
      stack.statements.length = 0;
      const result = await stack.query(query, {}, partner);
      expect({ query, status: result.status, codes: codes(result), data: result.data }).toEqual({
        query,
        status: 400,
        codes: ['GRAPHQL_VALIDATION_FAILED'],
        data: undefined,
      });
      expect(stack.statements).toEqual([]);
    }
    const me = await stack.query('{ me { id } }', {}, partner);
    expect(me.errors?.[0]?.message).toBe('Cannot query field "me" on type "Query".');
  });

  it('runs the registered Catalogue and StockLevel operations with exactly the seeded data', async () => {
    const catalogue = await stack.query(registered.Catalogue!, { first: 2 }, partner);
    const byUpc = [...world.products].sort((a, b) => a.upc.localeCompare(b.upc));
    expect(catalogue.errors).toBeUndefined();
    expect(catalogue.data).toEqual({
      products: {
        edges: byUpc.slice(0, 2).map(({ upc, name, description, price, weight }) => ({
          cursor: expect.any(String),
          node: { upc, name, description, price, weight },
        })),
        pageInfo: { hasNextPage: true, endCursor: expect.any(String) },
      },
    });

    const product = world.products[1]!;
    const quantity = world.stock.find((row) => row.upc === product.upc)!.quantity;
    const stock = await stack.query(registered.StockLevel!, { upc: product.upc }, partner);
    expect(stock.errors).toBeUndefined();
    expect(stock.data).toEqual({ product: { upc: product.upc, inStock: quantity > 0, quantity } });
  });

  it('restocks through the contract, with @requiresScopes still enforced', async () => {
    const product = world.products[2]!;
    const before = world.stock.find((row) => row.upc === product.upc)!.quantity;
    const restocked = await stack.query(registered.Restock!, { upc: product.upc, quantity: 5 }, partner);
    expect(restocked.errors).toBeUndefined();
    expect(restocked.data).toEqual({ restock: { upc: product.upc, quantity: before + 5, inStock: true } });

    const unscoped = await createApiKey(stack.database.db, { name: 'Acme read-only', client: 'acme' });
    const refused = await stack.query(registered.Restock!, { upc: product.upc, quantity: 5 }, { 'x-api-key': unscoped.key });
    expect(codes(refused)).toEqual(['FORBIDDEN']);
  });

  it('reads public reviews, not their authors', async () => {
    const review = world.reviews[0]!;
    const result = await stack.query(`{ review(id: "${review.id}") { id rating body product { upc } } }`, {}, partner);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ review: { id: String(review.id), rating: review.rating, body: review.body, product: { upc: review.productUpc } } });
  });

  it("gets no more from a query another client planned or registered with APQ", async () => {
    const query = '{ users(first: 2) { username } }';
    const full = await stack.query(query, {}, web);
    expect(full.data).toEqual({ users: world.users.slice(0, 2).map(({ username }) => ({ username })) });
    expect(codes(await stack.query(query, {}, partner))).toEqual(['GRAPHQL_VALIDATION_FAILED']);

    // The web client registers a query by its hash; the partner sends only the hash.
    const apq = '{ users(first: 1) { username } }';
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(apq).digest('hex') };
    const send = async (headers: Record<string, string>, body: Record<string, unknown>) => {
      const response = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      return { status: response.status, ...((await response.json()) as { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] }) };
    };
    expect((await send(web, { query: apq, extensions: { persistedQuery } })).data).toEqual({ users: [{ username: world.users[0]!.username }] });
    const byHash = await send(partner, { extensions: { persistedQuery } });
    expect({ status: byHash.status, codes: codes(byHash) }).toEqual({ status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'] });
  });
});

describe('everyone else', () => {
  it('sees the full supergraph: a key of an unmapped client, a token of one, and anonymous callers', async () => {
    const unmapped = { authorization: `Bearer ${await stack.idp.token('2', { claims: { client_id: 'web' } })}` };
    for (const headers of [web, unmapped, {}]) {
      const result = await stack.query<Introspected>(INTROSPECTION, {}, headers);
      expect(result.data?.user).toEqual({ name: 'User' });
      expect(names(result.data!.product.fields)).toContain('createdAt');
      expect(names(result.data!.__schema.queryType.fields)).toEqual(['me', 'product', 'products', 'review', 'topProducts', 'user', 'users']);
    }
  });

  it('gets the contract with a token whose client_id is mapped to it', async () => {
    const headers = { authorization: `Bearer ${await stack.idp.token('2', { claims: { client_id: 'acme' } })}` };
    const result = await stack.query<Introspected>(INTROSPECTION, {}, headers);
    expect(result.data?.user).toBeNull();
    expect(codes(await stack.query('{ me { id } }', {}, headers))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});
