import { rm, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { codes, post } from '../support/graphql.js';
import { loggedTimes, logLines, replaceFile, sendTraffic } from '../support/hot-reload.js';
import { books, startLibrary, type Library } from '../support/library.js';
import { endLibraryScenario } from '../support/library-scenario.js';

/**
 * `junction gateway --supergraph FILE` watches the file. A new valid
 * supergraph serves from the next request on, while requests already running
 * finish on the one they started with; an invalid one is logged and the
 * current one serves on. Here the library's supergraph changes between two
 * versions: without the shelf subgraph, and with it (adding `Book.shelf`).
 */
const AUTHORS = '{ books { title author { name } } }';
const WITH_AUTHORS = {
  books: books.map(({ title, authorId }) => ({ title, author: { name: authorId === 'austen' ? 'Jane Austen' : 'Mary Shelley' } })),
};
const SHELVES = '{ books { title shelf } }';
const SHELVED = { books: books.map(({ title, isbn }) => ({ title, shelf: `S-${isbn.slice(-3)}` })) };

/** Each scenario starts a gateway process of its own, which takes a while on a busy machine. */
const PROCESS_TIMEOUT_MS = 90_000;
/** Steady traffic, and no rate limit to refuse it: every answer must be a 200. */
const UNLIMITED = { RATE_LIMIT: 'false' };

let library: Library;
let withoutShelf: string;
let gateway: GatewayProcess | undefined;

beforeAll(async () => {
  library = await startLibrary();
  withoutShelf = library.compose(['catalog', 'people']);
});
afterEach(async () => {
  await endLibraryScenario(library, gateway);
  gateway = undefined;
});
afterAll(() => library?.stop());

async function expectShelves(url: string, served: boolean) {
  const result = await post(url, SHELVES);
  if (served) {
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(SHELVED);
  } else {
    expect(codes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  }
}

describe('junction gateway --supergraph FILE', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('swaps supergraphs under load with no failed request, whether the file is rewritten or renamed over', async () => {
    gateway = await startGatewayProcess(withoutShelf, UNLIMITED);
    const { running, supergraph: file } = gateway;
    await expectShelves(gateway.url, false);

    const traffic = sendTraffic(gateway.url, AUTHORS, 8);
    let reloads = 0;
    for (const how of ['in place', 'rename', 'in place'] as const) {
      await replaceFile(file, library.supergraphSdl, how);
      const reloaded = await loggedTimes(running, 'supergraph reloaded', ++reloads);
      expect(reloaded).toMatchObject({ level: 30, supergraph: file, subgraphs: 3, hash: expect.stringMatching(/^[0-9a-f]{12}$/) });
      await expectShelves(gateway.url, true);

      await replaceFile(file, withoutShelf, how);
      expect(await loggedTimes(running, 'supergraph reloaded', ++reloads)).toMatchObject({ subgraphs: 2 });
      await expectShelves(gateway.url, false);
    }
    const { answered, failures } = await traffic.stop();
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(100);
    expect(logLines(running, 'supergraph reloaded')).toHaveLength(reloads);

    // Still answering exactly, on the last supergraph.
    expect((await post(gateway.url, AUTHORS)).data).toEqual(WITH_AUTHORS);
    expect(await gateway.stop()).toBe(0);
  });

  it('finishes a request in flight on the supergraph it started with', async () => {
    gateway = await startGatewayProcess(library.supergraphSdl);
    library.shelf.mode = 'held';
    const before = library.shelf.requests;
    const answer = post(gateway.url, SHELVES);
    await expect.poll(() => library.shelf.requests, { timeout: 10_000 }).toBe(before + 1);

    // The shelf leaves the supergraph while the gateway waits for its answer.
    await writeFile(gateway.supergraph, withoutShelf);
    await loggedTimes(gateway.running, 'supergraph reloaded', 1);
    await expectShelves(gateway.url, false);

    library.shelf.release();
    const result = await answer;
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(SHELVED);
  });

  it('logs an invalid supergraph and keeps serving the previous one, then takes the next valid one', async () => {
    gateway = await startGatewayProcess(library.supergraphSdl);
    const { running, supergraph: file, url } = gateway;

    await writeFile(file, 'this is { not GraphQL');
    const garbage = await loggedTimes(running, 'supergraph rejected', 1);
    expect(garbage).toMatchObject({ level: 40, supergraph: file, reason: expect.stringMatching(/Syntax Error/) });
    await expectShelves(url, true);

    // Valid GraphQL, but not a supergraph: nothing to route anywhere.
    await writeFile(file, 'type Query { hello: String }\n');
    const notSupergraph = await loggedTimes(running, 'supergraph rejected', 2);
    expect(notSupergraph.reason).toEqual(expect.any(String));
    expect(notSupergraph.hash).not.toBe(garbage.hash);
    await expectShelves(url, true);

    // Gone for a moment (an operator's `rm` before `cp`): the current supergraph serves on.
    await rm(file);
    await loggedTimes(running, 'supergraph unavailable', 1);
    await expectShelves(url, true);

    await writeFile(file, withoutShelf);
    expect(await loggedTimes(running, 'supergraph reloaded', 1)).toMatchObject({ subgraphs: 2 });
    await expectShelves(url, false);
    expect((await post(url, AUTHORS)).data).toEqual(WITH_AUTHORS);

    const metrics = await (await fetch(new URL('/metrics', url))).text();
    expect(metrics).toMatch(/^junction_gateway_supergraph_reloads_total\{outcome="success"\} 1$/m);
    expect(metrics).toMatch(/^junction_gateway_supergraph_reloads_total\{outcome="failure"\} 2$/m);
    const loadedAt = Number(/^junction_gateway_supergraph_loaded_timestamp_seconds (\S+)$/m.exec(metrics)?.[1]);
    expect(Math.abs(loadedAt - Date.now() / 1000)).toBeLessThan(30);
    expect(running.output()).not.toMatch(/"level":(50|60)/);
  });

  it.runIf(process.env.DATABASE_URL)('with --workers 2 reloads in every worker', async () => {
    const database = await createTestDatabase();
    try {
      gateway = await startGatewayProcess(withoutShelf, { DATABASE_URL: database.url }, ['--workers', '2']);
      await writeFile(gateway.supergraph, library.supergraphSdl);
      await loggedTimes(gateway.running, 'supergraph reloaded', 2);
      // Whichever worker answers, it serves the new supergraph.
      for (let i = 0; i < 6; i += 1) await expectShelves(gateway.url, true);
      expect(await gateway.stop()).toBe(0);
    } finally {
      await gateway?.stop();
      gateway = undefined;
      await database.close();
    }
  });
});
