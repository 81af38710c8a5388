import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_HEADER, signGatewayToken } from '#lib/identity.js';
import { createLogger } from '#lib/logger.js';
import { serveSubgraph } from '#lib/subgraph.js';
import { createSubgraph as createProducts } from '../../subgraphs/products/src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { PRODUCTION_SECRET, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { post } from '../support/graphql.js';
import { books, startLibrary, type Library } from '../support/library.js';
import { freePorts, run, type Running } from '../support/processes.js';
import { testEnv } from '../support/stack.js';

/**
 * What an orchestrator sees. Every process answers GET /health (alive) and
 * GET /ready (fit for traffic: not shutting down and, for a subgraph, its
 * database answers). On SIGTERM it turns not ready at once, keeps serving for
 * SHUTDOWN_DELAY_MS, stops accepting connections, lets the requests in flight
 * finish within SHUTDOWN_GRACE_MS, and exits 0.
 */
const BOOKS = '{ books { title shelf } }';
const SHELVED = { books: books.map(({ title, isbn }) => ({ title, shelf: `S-${isbn.slice(-3)}` })) };

/** Each scenario starts a process of its own, which takes a while on a busy machine. */
const PROCESS_TIMEOUT_MS = 90_000;

type Probe = { status: number; body: unknown };

/** One probe on a connection of its own, as a kubelet sends it; rejects with the socket's error. */
function probe(url: string, path: '/health' | '/ready', method: 'GET' | 'HEAD' = 'GET'): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

const OK = { status: 200, body: { status: 'ok' } };
const SHUTTING_DOWN = { status: 503, body: { status: 'unavailable', reason: 'shutting down' } };
/**
 * Not accepted: refused, or reset when the connection reached the listening
 * socket's backlog just before the socket closed. Never answered.
 */
const NOT_ACCEPTED = expect.objectContaining({ code: expect.stringMatching(/^ECONN(REFUSED|RESET)$/) });

async function expectAliveAndReady(url: string) {
  expect(await probe(url, '/health')).toEqual(OK);
  expect(await probe(url, '/health', 'HEAD')).toEqual({ status: 200, body: undefined });
  expect(await probe(url, '/ready')).toEqual(OK);
  expect(await probe(url, '/ready', 'HEAD')).toEqual({ status: 200, body: undefined });
}

/** SIGTERM to the process alone, as Kubernetes sends it to a container's first process. */
function sigterm(running: Running) {
  process.kill(running.child.pid!, 'SIGTERM');
  return running.waitFor(/"signal":"SIGTERM","msg":"shutting down"/);
}

describe('the gateway', { timeout: PROCESS_TIMEOUT_MS }, () => {
  let library: Library;
  let gateway: GatewayProcess | undefined;

  beforeAll(async () => {
    library = await startLibrary();
  });
  afterEach(async () => {
    library.shelf.release();
    library.shelf.mode = 'ok';
    await gateway?.stop();
    gateway = undefined;
  });
  afterAll(() => library?.stop());

  /** A query held in flight: the gateway has asked the shelf, which has not answered yet. */
  async function inFlight(url: string) {
    library.shelf.mode = 'held';
    const before = library.shelf.requests;
    const answer = post(url, BOOKS);
    await expect.poll(() => library.shelf.requests, { timeout: 10_000 }).toBe(before + 1);
    return { answer };
  }

  it('is alive, and ready once its supergraph is loaded', async () => {
    gateway = await startGatewayProcess(library.supergraphSdl);
    await expectAliveAndReady(gateway.url);
  });

  it('on SIGTERM stops accepting connections at once, finishes the request in flight, and exits 0', async () => {
    gateway = await startGatewayProcess(library.supergraphSdl);
    const { answer } = await inFlight(gateway.url);

    await sigterm(gateway.running);
    // No preStop delay (the default): the listening socket closed in the same tick as the signal.
    await expect(probe(gateway.url, '/ready')).rejects.toEqual(NOT_ACCEPTED);
    await expect(probe(gateway.url, '/health')).rejects.toEqual(NOT_ACCEPTED);
    expect(gateway.running.child.exitCode).toBeNull();

    library.shelf.release();
    const result = await answer;
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(SHELVED);
    expect(await gateway.running.exited).toBe(0);
    await gateway.running.groupGone();
  });

  it('with SHUTDOWN_DELAY_MS keeps serving while /ready answers 503, then closes and exits 0', async () => {
    gateway = await startGatewayProcess(library.supergraphSdl, { SHUTDOWN_DELAY_MS: '2000' });
    const { answer } = await inFlight(gateway.url);

    await sigterm(gateway.running);
    expect(await probe(gateway.url, '/ready')).toEqual(SHUTTING_DOWN);
    expect(await probe(gateway.url, '/ready', 'HEAD')).toEqual({ status: 503, body: undefined });
    expect(await probe(gateway.url, '/health')).toEqual(OK);
    // Traffic that still arrives (a load balancer has not noticed yet) is served.
    library.shelf.mode = 'ok';
    const late = await post(gateway.url, BOOKS);
    expect(late.status).toBe(200);
    expect(late.data).toEqual(SHELVED);

    // Then the delay is over: no new connections.
    await expect
      .poll(() => probe(gateway!.url, '/ready').then(() => 'open', (error: NodeJS.ErrnoException) => error.code), {
        timeout: 10_000,
        interval: 100,
      })
      .toBe('ECONNREFUSED');
    expect(gateway.running.child.exitCode).toBeNull();

    library.shelf.release();
    const result = await answer;
    expect(result.status).toBe(200);
    expect(result.data).toEqual(SHELVED);
    expect(await gateway.running.exited).toBe(0);
  });

  it.runIf(process.env.DATABASE_URL)('with --workers 2 finishes the request in flight on SIGTERM to the primary, and exits 0', async () => {
    const database = await createTestDatabase();
    try {
      gateway = await startGatewayProcess(library.supergraphSdl, { DATABASE_URL: database.url }, ['--workers', '2']);
      const { answer } = await inFlight(gateway.url);

      await sigterm(gateway.running);
      // The primary passes it on: each worker stops as it would alone.
      const stopping = () => gateway!.running.output().match(/"msg":"shutting down"/g)?.length;
      await expect.poll(stopping, { timeout: 10_000 }).toBe(3);
      expect(gateway.running.child.exitCode).toBeNull();

      library.shelf.release();
      const result = await answer;
      expect(result.status).toBe(200);
      expect(result.data).toEqual(SHELVED);
      expect(await gateway.running.exited).toBe(0);
      await gateway.running.groupGone();
      expect(gateway.running.output()).not.toMatch(/worker died|did not stop cleanly/);
    } finally {
      await gateway?.stop();
      await database.close();
    }
  });

  it('cuts a request still running after SHUTDOWN_GRACE_MS, and still exits 0', async () => {
    gateway = await startGatewayProcess(library.supergraphSdl, { SHUTDOWN_GRACE_MS: '500' });
    const { answer } = await inFlight(gateway.url);

    const stopping = Date.now();
    await sigterm(gateway.running);
    await expect(answer).rejects.toThrow();
    expect(await gateway.running.exited).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(10_000);
  });
});

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

describe('a subgraph served in-process', () => {
  it('is not ready once its database handle is closed, on either database', async () => {
    const database = await createTestDatabase();
    const env = testEnv();
    const logger = createLogger(env, 'test');
    const served = await serveSubgraph(createProducts({ db: database.db, env, logger }), {
      logger,
      secret: env.GATEWAY_SECRET,
      db: database.db,
    });
    try {
      expect(await probe(served.url, '/ready')).toEqual(OK);
      await database.close();
      expect(await probe(served.url, '/ready')).toEqual({
        status: 503,
        body: { status: 'unavailable', reason: 'database unavailable' },
      });
      expect(await probe(served.url, '/health')).toEqual(OK);
    } finally {
      await served.stop();
    }
  });
});
