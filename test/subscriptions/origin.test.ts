import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../scripts/seed/world.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { rawSocket, refusedUpgrade } from './support.js';

/**
 * The WebSocket upgrade in production without CORS_ORIGINS: no page of
 * another origin may open a socket with its visitors' cookies (cross-site
 * WebSocket hijacking), not even the development servers allowed by default
 * elsewhere; a page of the gateway's own origin (GraphiQL) and clients that
 * send no Origin (servers, apps) still connect. protocols.test.ts has the
 * allowlist's own cases.
 */
const world = generateWorld({ users: 2, products: 2, reviews: 2 });
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(world, { NODE_ENV: 'production', GATEWAY_SECRET: 'a-production-secret-of-at-least-32-chars' });
});
afterAll(() => stack?.close());

async function acknowledged(origin: string | undefined): Promise<unknown[]> {
  const raw = rawSocket(stack.gatewayUrl, origin ? { origin } : {});
  await raw.opened;
  raw.send({ type: 'connection_init' });
  await expect.poll(() => raw.messages.length).toBe(1);
  raw.socket.close();
  return raw.messages;
}

describe('in production with no CORS_ORIGINS', () => {
  it('refuses the upgrade from any other origin with 403, a local development server’s and an opaque one included', async () => {
    const own = new URL(stack.gatewayUrl);
    for (const origin of ['https://app.example.com', 'http://localhost:5173', `http://${own.hostname}:${Number(own.port) + 1}`, 'null']) {
      expect({ origin, status: await refusedUpgrade(stack.gatewayUrl, { origin }) }).toEqual({ origin, status: 403 });
    }
  });

  it('accepts a page of the gateway’s own origin, and a client that sends no Origin', async () => {
    const own = new URL(stack.gatewayUrl).origin;
    expect(await acknowledged(own)).toEqual([{ type: 'connection_ack' }]);
    expect(await acknowledged(undefined)).toEqual([{ type: 'connection_ack' }]);
  });
});
