import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { post } from '../support/graphql.js';
import { books, startLibrary, type Library } from '../support/library.js';
import { endLibraryScenario } from '../support/library-scenario.js';
import { expectAliveAndReady, OK, probe, SHUTTING_DOWN, sigterm } from '../support/probes.js';

/**
 * What an orchestrator sees of the gateway. It answers GET /health (alive)
 * and GET /ready (fit for traffic: its supergraph loaded, not shutting down).
 * On SIGTERM it turns not ready at once, keeps serving for SHUTDOWN_DELAY_MS,
 * stops accepting connections, lets the requests in flight finish within
 * SHUTDOWN_GRACE_MS, and exits 0.
 */
const BOOKS = '{ books { title shelf } }';
const SHELVED = { books: books.map(({ title, isbn }) => ({ title, shelf: `S-${isbn.slice(-3)}` })) };

/** Each scenario starts a process of its own, which takes a while on a busy machine. */
const PROCESS_TIMEOUT_MS = 90_000;

/**
 * Not accepted: refused, or reset when the connection reached the listening
 * socket's backlog just before the socket closed. Never answered.
 */
const NOT_ACCEPTED = expect.objectContaining({ code: expect.stringMatching(/^ECONN(REFUSED|RESET)$/) });

describe('the gateway', { timeout: PROCESS_TIMEOUT_MS }, () => {
  let library: Library;
  let gateway: GatewayProcess | undefined;

  beforeAll(async () => {
    library = await startLibrary();
  });
  afterEach(async () => {
    await endLibraryScenario(library, gateway);
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
