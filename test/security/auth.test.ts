import { eq } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGatewayToken, GATEWAY_HEADER } from '#lib/identity.js';
import { createApiKey, revokeApiKey } from '#gateway/stages/identify/api-keys.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { products } from '../../subgraphs/products/src/db/schema.js';
import { reviews } from '../../subgraphs/reviews/src/db/schema.js';
import { PRODUCTION_SECRET } from '../support/gateway-process.js';
import { codes, post } from '../support/graphql.js';
import { createIdentityProvider } from '../support/identity-provider.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Who may see and do what, on Junction's own supergraph in production:
 * JWTs from the identity provider (JWKS), partner API keys from Postgres,
 * @authenticated and @requiresScopes enforced by the gateway, and subgraphs
 * that only answer the gateway.
 */
const world = generateWorld({ users: 4, products: 3, reviews: 6 });
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(world, {
    NODE_ENV: 'production',
    GATEWAY_SECRET: PRODUCTION_SECRET,
    API_KEY_CACHE_MS: '0',
    // Production's default; the test stack turns it off elsewhere.
    RATE_LIMIT: 'true',
  });
});
afterAll(() => stack?.close());

const USERS = '{ users(first: 2) { username email } }';

describe('@requiresScopes and @authenticated', () => {
  it('gives anonymous callers null and UNAUTHENTICATED for protected fields, saying what to sign in with, the rest intact', async () => {
    const result = await stack.query(USERS);
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ users: world.users.slice(0, 2).map(({ username }) => ({ username, email: null })) });
    const message = 'Unauthorized field or type: needs signing in with the "read:email" scope.';
    expect(result.errors!.map((error) => [error.path, error.extensions!.code, error.message])).toEqual([
      [['users', 0, 'email'], 'UNAUTHENTICATED', message],
      [['users', 1, 'email'], 'UNAUTHENTICATED', message],
    ]);
  });

  it('gives signed-in callers without the scope FORBIDDEN, naming the scope', async () => {
    const result = await stack.query(USERS, {}, await stack.signIn(1));
    expect(result.data).toEqual({ users: world.users.slice(0, 2).map(({ username }) => ({ username, email: null })) });
    expect(codes(result)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(result.errors!.map((error) => error.message)).toEqual(
      Array(2).fill('Unauthorized field or type: needs the "read:email" scope.'),
    );
  });

  it('shows the field to callers with the scope', async () => {
    const result = await stack.query(USERS, {}, await stack.signIn(1, ['read:email']));
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ users: world.users.slice(0, 2).map(({ username, email }) => ({ username, email })) });
  });

  it('does not run a mutation the caller may not run, and writes nothing', async () => {
    const mutation = 'mutation { createProduct(input: { upc: "4006381333931", name: "Pen", price: 150, weight: 10 }) { upc } }';
    const refused = await stack.query(mutation, {}, await stack.signIn(1));
    expect(refused.data).toBeNull();
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.errors![0]!.message).toBe('Unauthorized field or type: needs the "write:products" scope.');
    const rows = await stack.database.db.select().from(products).where(eq(products.upc, '4006381333931'));
    expect(rows).toEqual([]);

    const allowed = await stack.query(mutation, {}, await stack.signIn(1, ['write:products']));
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data).toEqual({ createProduct: { upc: '4006381333931' } });
  });

  it('refuses @authenticated mutations to anonymous callers before any subgraph sees them', async () => {
    const before = (await stack.database.db.select().from(reviews)).length;
    const result = await stack.query(
      `mutation { createReview(input: { upc: "${world.products[0]!.upc}", rating: 5, body: "Great." }) { id } }`,
    );
    expect(result.data).toBeNull();
    expect(codes(result)).toEqual(['UNAUTHENTICATED']);
    expect(result.errors![0]!.message).toBe('Unauthorized field or type: needs signing in.');
    expect((await stack.database.db.select().from(reviews)).length).toBe(before);
  });
});

describe('JWT verification', () => {
  it('accepts a valid token and tells the subgraphs who is calling', async () => {
    const result = await stack.query('{ me { id username } }', {}, await stack.signIn(2));
    expect(result.data).toEqual({ me: { id: '2', username: world.users[1]!.username } });
  });

  it.each([
    ['an expired token', () => stack.idp.token('1', { claims: { exp: Math.floor(Date.now() / 1000) - 60 } })],
    ['a token for another audience', () => stack.idp.token('1', { claims: { aud: 'someone-else' } })],
    ['a token signed by a key the JWKS does not hold', async () => (await createIdentityProvider()).token('1')],
    [
      'an HS256 token signed with the gateway secret',
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('1')
          .setAudience('junction')
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(PRODUCTION_SECRET)),
    ],
    ['not a JWT at all', async () => 'not.a.token'],
  ])('refuses %s with 401 UNAUTHENTICATED', async (_name, token) => {
    const result = await stack.query('{ users(first: 1) { username } }', {}, { authorization: `Bearer ${await token()}` });
    expect(result.status).toBe(401);
    expect(codes(result)).toEqual(['UNAUTHENTICATED']);
    expect(result.data).toBeUndefined();
  });
});

describe('partner API keys', () => {
  it('authenticate with their scopes, and stop working once revoked', async () => {
    const { id, key } = await createApiKey(stack.database.db, { name: 'Acme', client: 'acme', scopes: ['write:inventory'] });
    const restock = `mutation { restock(upc: "${world.products[0]!.upc}", quantity: 5) { upc } }`;
    const allowed = await stack.query(restock, {}, { 'x-api-key': key });
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data).toEqual({ restock: { upc: world.products[0]!.upc } });
    // A key is not a user: `me` is null for it.
    expect((await stack.query('{ me { id } }', {}, { 'x-api-key': key })).data).toEqual({ me: null });

    await revokeApiKey(stack.database.db, id);
    const revoked = await stack.query(restock, {}, { 'x-api-key': key });
    expect(revoked.status).toBe(401);
    expect(codes(revoked)).toEqual(['UNAUTHENTICATED']);
  });

  it('are rate limited by their own bucket, leaving other callers alone', async () => {
    const { key } = await createApiKey(stack.database.db, {
      name: 'Greedy',
      client: 'greedy',
      rateLimit: { burst: 2, perSecond: 1 },
    });
    const query = '{ topProducts(first: 1) { name } }';
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await stack.query(query, {}, { 'x-api-key': key })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const refused = await stack.query(query, {}, { 'x-api-key': key });
    expect(codes(refused)).toEqual(['RATE_LIMITED']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Anonymous callers from the same address have a bucket of their own.
    expect((await stack.query(query)).status).toBe(200);
  });

  it('refuses an unknown key', async () => {
    const result = await stack.query('{ users(first: 1) { username } }', {}, { 'x-api-key': 'jk_not-a-real-key' });
    expect(result.status).toBe(401);
    expect(codes(result)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('introspection in production', () => {
  it('is refused to anonymous callers and to callers without the scope', async () => {
    expect((await stack.query('{ __schema { queryType { name } } }')).status).toBe(401);
    const forbidden = await stack.query('{ __schema { queryType { name } } }', {}, await stack.signIn(1));
    expect(forbidden.status).toBe(403);
    expect(codes(forbidden)).toEqual(['FORBIDDEN']);
  });

  it('is allowed to IDE users with the introspection scope', async () => {
    const result = await stack.query('{ __schema { queryType { name } } }', {}, await stack.signIn(1, ['introspection']));
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('subgraphs only answer the gateway', () => {
  const query = { query: '{ users(first: 1) { id email } }' };

  it('refuses a request sent straight to a subgraph', async () => {
    const url = stack.subgraphs.accounts!.url;
    const direct = await post(url, query.query);
    expect(direct.status).toBe(401);
    expect(codes(direct)).toEqual(['UNAUTHENTICATED']);
    // A client's own valid JWT is not a gateway token.
    const withJwt = await post(url, query.query, {}, { [GATEWAY_HEADER]: await stack.idp.token('1', { scopes: ['read:email'] }) });
    expect(withJwt.status).toBe(401);
  });

  it('refuses a gateway token forged with another secret', async () => {
    const forged = await signGatewayToken({ kind: 'user', subject: '1', scopes: ['read:email'] }, 'x'.repeat(40));
    const result = await post(stack.subgraphs.accounts!.url, query.query, {}, { [GATEWAY_HEADER]: forged });
    expect(result.status).toBe(401);
  });

  it('answers a request the gateway signed', async () => {
    const token = await signGatewayToken(null, PRODUCTION_SECRET);
    const result = await post(stack.subgraphs.accounts!.url, query.query, {}, { [GATEWAY_HEADER]: token });
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ users: [{ id: '1', email: world.users[0]!.email }] });
  });
});
