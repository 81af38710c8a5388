import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '#gateway/stages/identify/api-keys.js';
import { readContractsConfig } from '#tooling/contracts.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { MULTIPART, readUntil, SSE, streamingPost, subscribed, webSocketWithHeaders, writeReview } from './commerce.js';
import { collect, rawSocket, sseClient, wsClient } from './support.js';

/**
 * Who subscribes, and what they may subscribe to: the caller is identified
 * once, when the connection starts (connection_init's payload or the upgrade's
 * headers; a streaming request's own headers), the stages run at subscribe as
 * for a query (persisted documents, limits, cost, contracts), and
 * authorization shapes every event as it shapes the same selection in a query.
 */
const world = generateWorld({ users: 4, products: 4, reviews: 8 });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const TRUSTED = 'subscription NewReviews { reviewAdded { body } }';
let stack: TestStack;
let manifests: string;
/** API keys: one granted read:email, one without scopes, one whose client is held to its trusted documents, a partner's. */
const keys: Record<'reader' | 'plain' | 'mobile' | 'partner', string> = { reader: '', plain: '', mobile: '', partner: '' };

beforeAll(async () => {
  manifests = await mkdtemp(join(tmpdir(), 'junction-subscription-manifests-'));
  const operations = [{ id: sha256(TRUSTED), name: 'NewReviews', type: 'subscription', body: TRUSTED }];
  await writeFile(join(manifests, 'mobile.json'), JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations }));
  const { contracts } = await readContractsConfig('contracts.yaml');
  stack = await startTestStack(
    world,
    { TRUSTED_DOCUMENTS: manifests, TRUSTED_DOCUMENTS_CLIENT_MODES: 'mobile=enforce', CONTRACT_CLIENTS: 'acme=partner' },
    { contracts },
  );
  const db = stack.database.db;
  keys.reader = (await createApiKey(db, { name: 'Back office', client: 'office', scopes: ['read:email'] })).key;
  keys.plain = (await createApiKey(db, { name: 'Web shop', client: 'web', scopes: [] })).key;
  keys.mobile = (await createApiKey(db, { name: 'Mobile app', client: 'mobile', scopes: [] })).key;
  keys.partner = (await createApiKey(db, { name: 'Acme integration', client: 'acme', scopes: [] })).key;
});
afterAll(async () => {
  await stack?.close();
  if (manifests) await rm(manifests, { recursive: true, force: true });
});

const EMAILS = 'subscription { reviewAdded { body author { username email } } }';
type EmailEvent = { data: { reviewAdded: { body: string; author: { username: string; email: string | null } } }; errors?: Refused[] };
type Refused = { message: string; path: (string | number)[]; extensions: { code: string; requestId?: string } };
const author = world.users[0]!;

/** What a query of the same selection answers the caller: the event must refuse the same way, at the same path. */
async function queried(headers: Record<string, string>, reviewId: string) {
  const result = await stack.query<{ review: { author: { username: string; email: string | null } } }>(
    'query($id: ID!) { review(id: $id) { author { username email } } }',
    { id: reviewId },
    headers,
  );
  const errors = (result.errors ?? []).map(({ message, path, extensions }) => ({ message, path: ['reviewAdded', ...path!.slice(1)], code: extensions?.code }));
  return { author: result.data!.review.author, errors };
}

const refusalsOf = (event: EmailEvent) => (event.errors ?? []).map(({ message, path, extensions }) => ({ message, path, code: extensions.code }));

describe('the caller is identified once, at connect', () => {
  it('by an API key in connection_init’s payload: its scopes apply to every event', async () => {
    const reader = wsClient(stack.gatewayUrl, { connectionParams: { 'x-api-key': keys.reader } });
    const plain = wsClient(stack.gatewayUrl, { connectionParams: { headers: { 'X-Api-Key': keys.plain } } });
    const granted = collect<EmailEvent>(reader, { query: EMAILS });
    const refused = collect<EmailEvent>(plain, { query: EMAILS });
    await subscribed();
    const first = await writeReview(stack, world, 0, 'Keys, first.');
    const second = await writeReview(stack, world, 1, 'Keys, second.');
    const events = await granted.received(2);
    expect(events).toEqual(['Keys, first.', 'Keys, second.'].map((body) => ({ data: { reviewAdded: { body, author: { username: author.username, email: author.email } } } })));
    for (const [index, event] of (await refused.received(2)).entries()) {
      const query = await queried({ 'x-api-key': keys.plain }, [first, second][index]!);
      expect(query.author).toEqual({ username: author.username, email: null });
      expect(event.data.reviewAdded.author).toEqual(query.author);
      expect(refusalsOf(event)).toEqual(query.errors);
      expect(refusalsOf(event)).toEqual([{ message: expect.stringContaining('read:email'), path: ['reviewAdded', 'author', 'email'], code: 'FORBIDDEN' }]);
    }
    await Promise.all([reader.dispose(), plain.dispose()]);
  });

  it('by a JWT as Authorization in the payload, or on the upgrade request’s headers', async () => {
    const authorization = (await stack.signIn(Number(author.id), ['read:email'])).authorization!;
    const inPayload = wsClient(stack.gatewayUrl, { connectionParams: { Authorization: authorization } });
    const onUpgrade = wsClient(stack.gatewayUrl, { webSocketImpl: webSocketWithHeaders({ authorization }) });
    const anonymous = wsClient(stack.gatewayUrl);
    const subscriptions = [inPayload, onUpgrade, anonymous].map((client) => collect<EmailEvent>(client, { query: EMAILS }));
    await subscribed();
    const id = await writeReview(stack, world, 2, 'Tokens.');
    const [viaPayload, viaUpgrade, nobody] = await Promise.all(subscriptions.map(async (events) => (await events.received(1))[0]!));
    expect(viaPayload).toEqual({ data: { reviewAdded: { body: 'Tokens.', author: { username: author.username, email: author.email } } } });
    expect(viaUpgrade).toEqual(viaPayload);
    // Nobody signed in: the refusal a query of the same selection gets.
    const query = await queried({}, id);
    expect(nobody!.data.reviewAdded.author).toEqual(query.author);
    expect(refusalsOf(nobody!)).toEqual(query.errors);
    expect(refusalsOf(nobody!)).toEqual([{ message: expect.stringContaining('signing in'), path: ['reviewAdded', 'author', 'email'], code: 'UNAUTHENTICATED' }]);
    await Promise.all([inPayload.dispose(), onUpgrade.dispose(), anonymous.dispose()]);
  });

  it('closes 4403 with the reason for a wrong key or token, in the payload or on the upgrade', async () => {
    const attempts = [
      { payload: { 'x-api-key': 'jk_not_a_key' }, reason: /API key/ },
      { payload: { Authorization: 'Bearer not.a.token' }, reason: /token/i },
      { headers: { authorization: 'Bearer not.a.token' }, reason: /token/i },
    ];
    for (const { payload, headers, reason } of attempts) {
      const raw = rawSocket(stack.gatewayUrl, headers ? { headers } : {});
      await raw.opened;
      raw.send({ type: 'connection_init', ...(payload ? { payload } : {}) });
      const closed = await raw.closed;
      expect(closed.code).toBe(4403);
      expect(closed.reason).toMatch(reason);
      expect(raw.messages).toEqual([]);
    }
  });

  it('by the request’s own headers over SSE and multipart', async () => {
    const sse = sseClient(stack.gatewayUrl, { 'x-api-key': keys.reader });
    const overSse = collect<EmailEvent>(sse, { query: EMAILS });
    const { authorization } = await stack.signIn(Number(author.id), ['read:email']);
    const multipart = await streamingPost(stack.gatewayUrl, MULTIPART, { query: EMAILS }, { authorization: authorization! });
    expect(multipart.response.status).toBe(200);
    await subscribed();
    await writeReview(stack, world, 3, 'Headers.');
    const expected = { data: { reviewAdded: { body: 'Headers.', author: { username: author.username, email: author.email } } } };
    expect(await overSse.received(1)).toEqual([expected]);
    const text = await readUntil(multipart.response, (read) => read.includes('Headers.'));
    expect(text).toContain(`{"payload":${JSON.stringify(expected)}}`);
    multipart.abort.abort();
    sse.dispose();

    for (const accept of [SSE, MULTIPART]) {
      const refused = await streamingPost(stack.gatewayUrl, accept, { query: EMAILS }, { 'x-api-key': 'jk_not_a_key' });
      expect(refused.response.status).toBe(401);
      expect(await refused.response.text()).toContain('"code":"UNAUTHENTICATED"');
    }
  });
});

describe('a token does not outlive its expiry', () => {
  it('graphql-ws closes 4403 at the expiry and its client resubscribes with a fresh token; SSE and multipart end with SUBSCRIPTION_JWT_EXPIRED', async () => {
    // Expired a second from now; the gateway accepts it 5 s more (its clock tolerance), then ends what it opened.
    const exp = Math.floor(Date.now() / 1000) + 1;
    const expiring = await stack.idp.token(String(author.id), { scopes: ['read:email'], expiresIn: exp });
    let token = expiring;
    const closes: number[] = [];
    let connections = 0;
    const ws = wsClient(stack.gatewayUrl, {
      connectionParams: () => ({ Authorization: `Bearer ${token}` }),
      retryAttempts: 2,
      retryWait: () => Promise.resolve(),
      on: { connected: () => void connections++, closed: (event) => void closes.push((event as { code: number }).code) },
    });
    const overWs = collect<EmailEvent>(ws, { query: EMAILS });
    const sse = sseClient(stack.gatewayUrl, { authorization: `Bearer ${expiring}` });
    const overSse = collect<EmailEvent>(sse, { query: EMAILS });
    const multipart = await streamingPost(stack.gatewayUrl, MULTIPART, { query: EMAILS }, { authorization: `Bearer ${expiring}` });
    await subscribed();
    await writeReview(stack, world, 0, 'Before the expiry.');
    const before = { data: { reviewAdded: { body: 'Before the expiry.', author: { username: author.username, email: author.email } } } };
    expect(await overWs.received(1)).toEqual([before]);
    expect(await overSse.received(1)).toEqual([before]);
    // What graphql-ws's client gives when it connects again: the token the app has by then.
    token = await stack.idp.token(String(author.id), { scopes: ['read:email'] });

    const expired = { message: expect.stringContaining('has expired'), extensions: { code: 'SUBSCRIPTION_JWT_EXPIRED' } };
    expect(await overSse.ended).toEqual({});
    expect(Date.now()).toBeGreaterThanOrEqual((exp + 5) * 1000);
    expect(overSse.results).toEqual([before, { errors: [expired] }]);
    const text = await readUntil(multipart.response, (read) => read.includes('--graphql--'), 20_000);
    const lastPart = text.split('\r\n--graphql').at(-2)!;
    expect(JSON.parse(lastPart.slice(lastPart.indexOf('{')))).toEqual({ payload: null, errors: [expired] });

    // graphql-ws: closed 4403, connected again with the new token, and the same subscription goes on.
    await expect.poll(() => connections, { timeout: 20_000 }).toBe(2);
    expect(closes).toEqual([4403]);
    await subscribed();
    await writeReview(stack, world, 1, 'After the expiry.');
    expect((await overWs.received(2))[1]).toEqual({ data: { reviewAdded: { ...before.data.reviewAdded, body: 'After the expiry.' } } });
    await ws.dispose();
    sse.dispose();
  }, 40_000);

  it('an expired token is refused at connect, as before: the socket closes 4403 and says why', async () => {
    const expired = await stack.idp.token(String(author.id), { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const raw = rawSocket(stack.gatewayUrl);
    await raw.opened;
    raw.send({ type: 'connection_init', payload: { Authorization: `Bearer ${expired}` } });
    expect(await raw.closed).toEqual({ code: 4403, reason: 'The token has expired.' });
  });
});

describe('the stages run at subscribe', () => {
  const refusal = async (connectionParams: Record<string, unknown>, payload: { query: string; extensions?: Record<string, unknown> }) => {
    const client = wsClient(stack.gatewayUrl, { connectionParams });
    const subscription = collect(client, payload);
    const { error } = await subscription.ended;
    await client.dispose();
    expect(subscription.results).toEqual([]);
    return error as { message: string; extensions: Record<string, unknown> & { code: string } }[];
  };
  const codesOf = async (...args: Parameters<typeof refusal>) => (await refusal(...args)).map(({ extensions }) => extensions.code);

  it('persisted documents: a client held to its trusted documents cannot subscribe with text, but with a registered id', async () => {
    expect(await codesOf({ 'x-api-key': keys.mobile }, { query: 'subscription { reviewAdded { body rating } }' })).toEqual(['PERSISTED_QUERY_ID_REQUIRED']);
    expect(await codesOf({ 'x-api-key': keys.mobile }, { query: TRUSTED })).toEqual(['PERSISTED_QUERY_ID_REQUIRED']);
    const client = wsClient(stack.gatewayUrl, { connectionParams: { 'x-api-key': keys.mobile } });
    const trusted = collect(client, { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: sha256(TRUSTED) } } } as never);
    await subscribed();
    await writeReview(stack, world, 0, 'Trusted.');
    expect(await trusted.received(1)).toEqual([{ data: { reviewAdded: { body: 'Trusted.' } } }]);
    await client.dispose();
  });

  it('limits and cost: a subscription too deep, or too expensive, is refused before it starts', async () => {
    let deep = 'body';
    for (let level = 0; level < 8; level++) deep = `product { reviews(first: 1) { ${deep} } }`;
    const [tooDeep] = await refusal({}, { query: `subscription { reviewAdded { ${deep} } }` });
    expect(tooDeep).toMatchObject({ message: 'The query is 18 levels deep; at most 15 are allowed.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxDepth', max: 15 } });
    const costly = 'subscription { reviewAdded { product { reviews(first: 100) { product { reviews(first: 100) { product { reviews(first: 100) { body } } } } } } } }';
    const [tooCostly] = await refusal({}, { query: costly });
    expect(tooCostly).toMatchObject({ extensions: { code: 'COST_ESTIMATED_TOO_EXPENSIVE', cost: { max: 50_000 } } });
  });

  it('contracts: a partner subscribes to what its contract has, and only that', async () => {
    expect(await codesOf({ 'x-api-key': keys.partner }, { query: 'subscription { reviewAdded { body author { username } } }' })).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const client = wsClient(stack.gatewayUrl, { connectionParams: { 'x-api-key': keys.partner } });
    const events = collect(client, { query: 'subscription { reviewAdded { body product { upc name } } }' });
    await subscribed();
    await writeReview(stack, world, 1, 'For partners.');
    const product = world.products[1]!;
    expect(await events.received(1)).toEqual([{ data: { reviewAdded: { body: 'For partners.', product: { upc: product.upc, name: product.name } } } }]);
    await client.dispose();
  });
});
