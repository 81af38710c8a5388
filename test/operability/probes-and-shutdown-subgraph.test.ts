import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_HEADER, signGatewayToken } from '#lib/identity.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { PRODUCTION_SECRET } from '../support/gateway-process.js';
import { post } from '../support/graphql.js';
import { expectAliveAndReady, OK, probe, SHUTTING_DOWN, sigterm } from '../support/probes.js';
import { freePorts, run, type Running } from '../support/processes.js';

/**
 * What an orchestrator sees of a subgraph process (inventory). It answers
 * GET /health (alive) and GET /ready (fit for traffic: not shutting down and
 * its database answers). On SIGTERM it turns not ready at once, keeps serving
 * for SHUTDOWN_DELAY_MS, stops accepting connections, lets the requests in
 * flight finish within SHUTDOWN_GRACE_MS, and exits 0.
 */
/** Each scenario starts a process of its own, which takes a while on a busy machine. */
const PROCESS_TIMEOUT_MS = 90_000;

/** An anonymous caller vouched for by the gateway, as every subgraph request must be. */
const fromGateway = async () => ({ [GATEWAY_HEADER]: await signGatewayToken(null, PRODUCTION_SECRET) });

const UPC = '0123456789012';

/** A products subgraph that answers inventory's lookup only when released: a request held in flight. */
async function startHeldProducts() {
  const held: (() => void)[] = [];
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    req.resume();
    held.push(() =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { _entities: [{ upc: UPC }] } })),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    requests: () => requests,
    release: () => held.splice(0).forEach((answer) => answer()),
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('a subgraph process', { timeout: PROCESS_TIMEOUT_MS }, () => {
  let dataDir: string;
  let database: TestDatabase | undefined;
  let products: Awaited<ReturnType<typeof startHeldProducts>>;
  let subgraph: Running | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'junction-probes-'));
    if (process.env.DATABASE_URL) database = await createTestDatabase();
    products = await startHeldProducts();
  });
  afterEach(async () => {
    products.release();
    if (subgraph?.child.exitCode === null) subgraph.child.kill('SIGKILL');
    await subgraph?.exited;
    subgraph = undefined;
  });
  afterAll(async () => {
    await products?.stop();
    await database?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The inventory subgraph, alone in its own process: no npm or tsx in between to relay signals. */
  async function startInventory(env: Record<string, string | undefined> = {}, own?: TestDatabase) {
    const [port] = await freePorts(1);
    subgraph = run('node', ['--import', 'tsx', 'subgraphs/inventory/src/index.ts'], {
      NODE_ENV: 'production',
      GATEWAY_SECRET: PRODUCTION_SECRET,
      LOG_LEVEL: 'info',
      PORT: String(port),
      PRODUCTS_URL: products.url,
      DATABASE_URL: (own ?? database)?.url,
      JUNCTION_DATA_DIR: await mkdtemp(join(dataDir, 'inventory-')),
      ...env,
    });
    const [, url] = await subgraph.waitFor(/"url":"([^"]+)".*subgraph ready/);
    return { running: subgraph, url: url! };
  }

  it('is alive, and ready while its database answers', async () => {
    const { url } = await startInventory();
    await expectAliveAndReady(url);
  });

  it('on SIGTERM answers /ready 503 during SHUTDOWN_DELAY_MS, finishes the request in flight, and exits 0', async () => {
    const { running, url } = await startInventory({ SHUTDOWN_DELAY_MS: '1000' });
    const before = products.requests();
    const answer = post(url, `mutation { restock(upc: "${UPC}", quantity: 3) { upc quantity } }`, {}, await fromGateway());
    // restock is waiting for the products subgraph to say the UPC exists.
    await expect.poll(products.requests, { timeout: 10_000 }).toBe(before + 1);

    await sigterm(running);
    expect(await probe(url, '/ready')).toEqual(SHUTTING_DOWN);
    expect(await probe(url, '/health')).toEqual(OK);
    await expect
      .poll(() => probe(url, '/ready').then(() => 'open', (error: NodeJS.ErrnoException) => error.code), {
        timeout: 10_000,
        interval: 100,
      })
      .toBe('ECONNREFUSED');
    expect(running.child.exitCode).toBeNull();

    products.release();
    const result = await answer;
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ restock: { upc: UPC, quantity: 3 } });
    expect(await running.exited).toBe(0);
    await running.groupGone();
    expect(running.output()).not.toMatch(/"level":50/);
  });

  it.runIf(process.env.DATABASE_URL)('is alive but not ready once its database is gone', async () => {
    const own = await createTestDatabase();
    const { running, url } = await startInventory({}, own);
    expect(await probe(url, '/ready')).toEqual(OK);

    // The database is dropped under it, its connections terminated: every reconnect now fails.
    await own.close();
    expect(await probe(url, '/ready')).toEqual({ status: 503, body: { status: 'unavailable', reason: 'database unavailable' } });
    expect(await probe(url, '/ready', 'HEAD')).toEqual({ status: 503, body: undefined });
    expect(await probe(url, '/health')).toEqual(OK);
    await running.waitFor(/"level":40.*"msg":"database unavailable: not ready"/);

    await sigterm(running);
    expect(await running.exited).toBe(0);
  });
});
