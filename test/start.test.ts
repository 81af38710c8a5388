import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { post } from './support/graphql.js';
import { BENCHMARK_QUERY } from './support/oracle.js';
import { junctionPorts, run } from './support/processes.js';
import { collect, sseClient, wsClient } from './subscriptions/support.js';

/**
 * `npm start` as a newcomer runs it: one command that migrates, seeds, starts
 * everything, answers the benchmark query, and stops cleanly on Ctrl-C.
 */
let dataDir: string;
let database: TestDatabase | undefined;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'junction-start-'));
  // On real Postgres, a database of its own; otherwise the embedded one, persisted in dataDir.
  if (process.env.DATABASE_URL) database = await createTestDatabase();
  env = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    JUNCTION_DATA_DIR: dataDir,
    DATABASE_URL: database?.url,
    ...(await junctionPorts()).env,
  };
});
/** Junctions started and not yet stopped: a test that fails or times out midway must leave none running. */
const running = new Set<ReturnType<typeof run>>();
afterAll(async () => {
  for (const junction of running) {
    junction.terminate();
    await junction.groupGone().catch(() => {});
  }
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function start() {
  const junction = run('npm', ['start'], env);
  running.add(junction);
  const [, url] = await junction.waitFor(/Junction is running: (\S+)/);
  return { junction, url: url! };
}

/** Ctrl-C: npm ends by the signal, Junction by finishing its shutdown; nothing is left running. */
async function stop(junction: ReturnType<typeof run>) {
  junction.interrupt();
  running.delete(junction);
  expect([0, 'SIGINT']).toContain(await junction.exited);
  await junction.groupGone();
  expect(junction.output()).toMatch(/Stopping Junction/);
  expect(junction.output()).not.toMatch(/Error/);
}

// Each test starts the whole of Junction (migrations, seeding, five processes): minutes on a loaded machine.
describe('npm start', { timeout: 120_000 }, () => {
  it('serves the seeded supergraph and stops cleanly on Ctrl-C', async () => {
    const { junction, url } = await start();
    expect(junction.output()).toMatch(/Seeded 200 users, 1000 products and 5000 reviews/);

    const result = await post<{ users: unknown[]; topProducts: unknown[] }>(url, BENCHMARK_QUERY);
    expect(result.errors).toBeUndefined();
    expect(result.data!.users).toHaveLength(10);
    expect(result.data!.topProducts).toHaveLength(5);
    expect((await fetch(new URL('/health', url))).status).toBe(200);

    await stop(junction);
    await expect(fetch(url)).rejects.toThrow();
    await expect(fetch(env.REVIEWS_URL!)).rejects.toThrow();
  });

  it('keeps the data on the next start instead of seeding again', async () => {
    const { junction, url } = await start();
    expect(junction.output()).not.toMatch(/Seeded/);
    const result = await post(url, '{ user(id: "200") { id } users(first: 1) { id } }');
    expect(result.data).toEqual({ user: { id: '200' }, users: [{ id: '1' }] });
    await stop(junction);
  });

  it('sends reviewAdded with fields from every subgraph to graphql-ws and graphql-sse clients after createReview', async () => {
    const { junction, url } = await start();
    const query = 'subscription { reviewAdded { body author { username } product { name inStock } } }';
    const ws = wsClient(url);
    const sse = sseClient(url);
    const overWs = collect(ws, { query });
    const overSse = collect(sse, { query });
    // The token a newcomer mints (README): `npx junction token --user 1`.
    const token = run('npx', ['junction', 'token', '--user', '1'], env);
    expect(await token.exited).toBe(0);
    const authorization = `Bearer ${token.output().trim().split('\n').pop()}`;
    const expected = await post<{ user: { username: string }; topProducts: [{ upc: string; name: string; inStock: boolean }] }>(
      url,
      '{ user(id: "1") { username } topProducts(first: 1) { upc name inStock } }',
    );
    const { upc, ...product } = expected.data!.topProducts[0];
    // Until both subscriptions are open at the subgraph, a review may be missed: write until each has one.
    const mutation = `mutation { createReview(input: { upc: "${upc}", rating: 5, body: "Heard live." }) { id } }`;
    for (let attempt = 0; attempt < 50 && (overWs.results.length === 0 || overSse.results.length === 0); attempt++) {
      expect((await post(url, mutation, {}, { authorization })).errors).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const event = {
      data: { reviewAdded: { body: 'Heard live.', author: { username: expected.data!.user.username }, product } },
    };
    expect(overWs.results[0]).toEqual(event);
    expect(overSse.results[0]).toEqual(event);
    overWs.dispose();
    overSse.dispose();
    await ws.dispose();
    sse.dispose();
    await stop(junction);
  });
});
