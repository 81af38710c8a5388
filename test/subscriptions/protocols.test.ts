import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../scripts/seed/world.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { collect, rawSocket, refusedUpgrade, sseClient, wsClient } from './support.js';

/**
 * The protocols a frontend reaches the gateway's /graphql with besides a
 * POST: graphql-ws over WebSocket and GraphQL over SSE, with the ecosystem's
 * own clients. What they carry runs through the same stages as an HTTP
 * request: here queries, credentials and refusals; events are in events.test.ts.
 */
const world = generateWorld({ users: 5, products: 5, reviews: 10 });
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(world, { CORS_ORIGINS: 'https://app.example.com', WS_INIT_TIMEOUT_MS: '300' });
});
afterAll(() => stack?.close());

const TOP = '{ topProducts(first: 2) { upc name } }';

describe('graphql-ws', () => {
  it('answers a query as the HTTP endpoint does', async () => {
    const client = wsClient(stack.gatewayUrl);
    const query = collect(client, { query: TOP });
    expect(await query.ended).toEqual({});
    const http = await stack.query(TOP);
    expect(query.results).toEqual([{ data: http.data }]);
    await client.dispose();
  });

  it('identifies the caller from connection_init, once for the connection', async () => {
    const headers = await stack.signIn(Number(world.users[0]!.id));
    const client = wsClient(stack.gatewayUrl, { connectionParams: { Authorization: headers.authorization } });
    const me = collect(client, { query: '{ me { id } }' });
    await me.ended;
    expect(me.results).toEqual([{ data: { me: { id: String(world.users[0]!.id) } } }]);
    const anonymous = wsClient(stack.gatewayUrl);
    const nobody = collect(anonymous, { query: '{ me { id } }' });
    await nobody.ended;
    expect(nobody.results).toEqual([{ data: { me: null } }]);
    await Promise.all([client.dispose(), anonymous.dispose()]);
  });

  it('closes 4403 with the reason when the credentials are wrong', async () => {
    const raw = rawSocket(stack.gatewayUrl);
    await raw.opened;
    raw.send({ type: 'connection_init', payload: { headers: { 'X-Api-Key': 'jk_not_a_key' } } });
    const closed = await raw.closed;
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/key/i);
  });

  it('closes 4408 when connection_init does not come in WS_INIT_TIMEOUT_MS', async () => {
    const raw = rawSocket(stack.gatewayUrl);
    await raw.opened;
    expect((await raw.closed).code).toBe(4408);
  });

  it('closes 4401 for a subscribe before connection_init is acknowledged, 4400 for a malformed message', async () => {
    const early = rawSocket(stack.gatewayUrl);
    await early.opened;
    early.send({ id: '1', type: 'subscribe', payload: { query: TOP } });
    expect((await early.closed).code).toBe(4401);
    const garbled = rawSocket(stack.gatewayUrl);
    await garbled.opened;
    garbled.socket.send('{not json');
    expect((await garbled.closed).code).toBe(4400);
  });

  it('refuses a subprotocol other than graphql-transport-ws (the legacy subscriptions-transport-ws one)', async () => {
    const legacy = rawSocket(stack.gatewayUrl, {}, 'graphql-ws');
    // The handshake names no protocol back, so the client gives up on it (1006), as with graphql-ws's own server.
    await expect(legacy.opened).rejects.toThrow(/protocol/i);
    expect((await legacy.closed).code).toBe(1006);
  });

  it('closes 1009 for a message over MAX_BODY_BYTES', async () => {
    const raw = rawSocket(stack.gatewayUrl);
    await raw.opened;
    raw.send({ type: 'connection_init', payload: { padding: 'x'.repeat(stack.env.MAX_BODY_BYTES + 1) } });
    expect((await raw.closed).code).toBe(1009);
  });

  it('answers refusals of the stages as an error message, with the code and the request id', async () => {
    const client = wsClient(stack.gatewayUrl);
    const invalid = collect(client, { query: '{ topProducts { nope } }' });
    const { error } = await invalid.ended;
    expect(error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) }) })]);
    expect(invalid.results).toEqual([]);
    await client.dispose();
  });
});

describe('the WebSocket upgrade checks Origin against CORS_ORIGINS (no cross-site WebSocket hijacking)', () => {
  it('refuses a page of an origin CORS does not allow with 403', async () => {
    expect(await refusedUpgrade(stack.gatewayUrl, { origin: 'https://evil.example' })).toBe(403);
  });

  it('accepts an allowed origin, the gateway’s own origin (GraphiQL), and clients that send none', async () => {
    const own = new URL(stack.gatewayUrl).host;
    for (const origin of ['https://app.example.com', `http://${own}`, undefined]) {
      const raw = rawSocket(stack.gatewayUrl, origin ? { origin } : {});
      await raw.opened;
      raw.send({ type: 'connection_init' });
      await expect.poll(() => raw.messages).toEqual([{ type: 'connection_ack' }]);
      raw.socket.close();
    }
  });
});

describe('GraphQL over SSE (graphql-sse, distinct connections)', () => {
  it('answers a query as one next event, then complete', async () => {
    const client = sseClient(stack.gatewayUrl);
    const query = collect(client, { query: TOP });
    expect(await query.ended).toEqual({});
    expect(query.results).toEqual([{ data: (await stack.query(TOP)).data }]);
    client.dispose();
  });

  it('streams validation errors in the stream, as graphql-sse’s own server does', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: '{ nope }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await response.text();
    expect(text).toMatch(/^event: next\ndata: \{"errors":\[\{"message":"Cannot query field \\"nope\\"/);
    expect(text.endsWith('event: complete\ndata:\n\n')).toBe(true);
  });
});

describe('a subscription over HTTP needs a streaming media type', () => {
  it('is refused 406 for a client that accepts only JSON, before anything is subscribed', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: 'subscription { reviewAdded { id } }' }),
    });
    expect(response.status).toBe(406);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('NOT_ACCEPTABLE');
    expect(body.errors[0]!.message).toMatch(/graphql-ws/);
  });

  it('gives Apollo’s multipart framing only to a client that names subscriptionSpec: plain multipart/mixed is @defer’s, and is refused', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, multipart/mixed' },
      body: JSON.stringify({ query: 'subscription { reviewAdded { id } }' }),
    });
    expect(response.status).toBe(406);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });
});
