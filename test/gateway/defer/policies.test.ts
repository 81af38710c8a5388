import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../../scripts/seed/world.js';
import { APOLLO_CLIENT_ACCEPT, partsOf } from '../../support/multipart.js';
import { startTestStack, type TestStack } from '../../support/stack.js';

/** The gateway's policies hold inside deferred fragments: authorization, limits and cost see them as any other field. */
const world = generateWorld();
let stack: TestStack;

beforeAll(async () => {
  // A planning thread, as in production: operations with @defer are planned there too.
  stack = await startTestStack(world, { MAX_DEPTH: '3', PLANNER_THREADS: '1' });
});
afterAll(() => stack?.close());

async function send(query: string, headers: Record<string, string> = {}, accept = APOLLO_CLIENT_ACCEPT) {
  const res = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept, ...headers }, body: JSON.stringify({ query }) });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

const user = world.users[0]!;
type Part = { data?: unknown; errors?: { message: string; path?: unknown[]; extensions: Record<string, unknown> }[]; hasNext: boolean; incremental?: { data: unknown; path: unknown[]; errors?: Part['errors'] }[] };

describe('authorization inside a deferred fragment', () => {
  const query = `{ user(id: "${user.id}") { username ... @defer(label: "private") { name email } } }`;

  it('puts the null and the error in the part that holds the field, not in the first', async () => {
    const headers = await stack.signIn(2, []);
    const [first, second] = partsOf((await send(query, headers)).body) as Part[];
    expect(first).toEqual({ data: { user: { username: user.username } }, hasNext: true });
    expect(second!.hasNext).toBe(false);
    const [item] = second!.incremental!;
    expect(item!.data).toEqual({ name: user.name, email: null });
    expect(item!.path).toEqual(['user']);
    expect(item!.errors!.map((error) => [error.path, error.extensions.code, typeof error.extensions.requestId])).toEqual([[['user', 'email'], 'FORBIDDEN', 'string']]);
  });

  it('answers the field to a caller with the scope', async () => {
    const headers = await stack.signIn(2, ['read:email']);
    const [, second] = partsOf((await send(query, headers)).body) as Part[];
    expect(second!.incremental).toEqual([{ label: 'private', data: { name: user.name, email: user.email }, path: ['user'] }]);
  });

  it('gives an anonymous caller UNAUTHENTICATED, as the plain answer does', async () => {
    const [, second] = partsOf((await send(query)).body) as Part[];
    const plain = JSON.parse((await send(query.replace('@defer(label: "private")', ''), {}, 'application/json')).body) as Part;
    expect(second!.incremental![0]!.errors!.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
    expect(second!.incremental![0]!.errors!.map(({ message, path }) => ({ message, path }))).toEqual(plain.errors!.map(({ message, path }) => ({ message, path })));
  });
});

describe('limits and cost count deferred fields', () => {
  it('refuses a deferred fragment that goes deeper than MAX_DEPTH, as it refuses the same fields not deferred', async () => {
    const deep = `{ product(upc: "${world.products[0]!.upc}") { upc ... @defer { reviews(first: 1) { author { username } } } } }`;
    const answer = await send(deep);
    expect(answer.status).toBe(400);
    expect(answer.type).not.toContain('multipart');
    const refused = JSON.parse(answer.body) as Part;
    const plain = JSON.parse((await send(deep.replace('@defer', ''), {}, 'application/json')).body) as Part;
    expect(refused.errors!.map((error) => error.extensions.code)).toEqual(plain.errors!.map((error) => error.extensions.code));
  });

  it('estimates the same cost with @defer as without, reported with the first part', async () => {
    const query = `{ product(upc: "${world.products[0]!.upc}") { upc ... @defer { name reviews(first: 3) { rating } } } }`;
    const headers = { 'x-junction-cost': 'estimated' };
    const [first, ...rest] = partsOf((await send(query, headers)).body) as (Part & { extensions?: { cost: { estimated: number } } })[];
    const plain = JSON.parse((await send(query.replace('@defer', ''), headers, 'application/json')).body) as { extensions: { cost: { estimated: number } } };
    expect(plain.extensions.cost.estimated).toBeGreaterThan(3);
    expect(first!.extensions).toEqual(plain.extensions);
    expect(rest.every((part) => !('extensions' in part))).toBe(true);
  });
});
