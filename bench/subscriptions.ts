/**
 * `npm run bench -- --subscriptions`: many concurrent subscriptions on one
 * `junction gateway` process. Junction alone: stock @apollo/gateway serves no
 * subscriptions to compare with.
 *
 * The real commerce subgraphs (bench/commerce-subgraphs.ts) and the clients
 * (bench/subscription-load.ts) run in processes of their own, on one core;
 * the gateway gets the other (taskset), so its memory and CPU are its own. For
 * each mode, a fresh gateway; then, for each of --rounds rounds, --subscribers
 * subscriptions opened over connections of --per-connection each, checked to
 * receive events, measured, and all ended. Modes:
 *   identical: `reviewAdded { ... }` for everyone: the gateway shares them (one at the subgraph);
 *   distinct:  `reviewAdded(upc: $upc)`, each subscriber a product of its own: one each at the subgraph.
 * The first round also sends --mutations createReview mutations, one at a time,
 * and times each from sending it to its event at the last subscriber due it.
 */
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { composeSupergraph, formatCompositionProblem, readSupergraphConfig } from '#tooling/supergraph.js';
import { generateWorld } from '../scripts/seed/world.js';
import { benchDatabase, issuer, scrape, type Metrics } from './subscription-support.js';
import { JUNCTION_NODE_OPTIONS, SECRET } from './gateways.js';
import { untilAnswering } from './measure.js';
import { canPin, memoryMiB, pinProcess, start, type Started } from './processes.js';
import { growthOf, percentile, printSubscriptionReport, summarizeLatency, type ModeResult, type Reading, type Round } from './subscription-report.js';
import type { LoadReply, LoadRequest, MutationResult, Subscriber } from './subscription-load.js';

const { values } = parseArgs({
  options: {
    subscriptions: { type: 'boolean' },
    subscribers: { type: 'string', default: '10000' },
    'per-connection': { type: 'string', default: '100' },
    rounds: { type: 'string', default: '10' },
    mutations: { type: 'string', default: '50' },
    modes: { type: 'string', default: 'identical,distinct' },
    out: { type: 'string', default: 'bench/results' },
    'no-save': { type: 'boolean', default: false },
  },
});
const settings = {
  subscribers: Number(values.subscribers),
  perConnection: Number(values['per-connection']),
  rounds: Number(values.rounds),
  mutations: Number(values.mutations),
};
for (const [name, value] of Object.entries(settings)) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number of at least 1.`);
}
const modes = values.modes.split(',').map((mode) => mode.trim()) as ModeResult['mode'][];
for (const mode of modes) if (mode !== 'identical' && mode !== 'distinct') throw new Error(`Unknown mode "${mode}": identical or distinct.`);
const { subscribers: N, perConnection } = settings;
// As many products as distinct subscriptions, so that no two share one.
const products = Math.max(1000, modes.includes('distinct') ? N : 0);
const world = generateWorld({ users: 50, products, reviews: 200 });
const upcs = world.products.map((product) => product.upc);

const pinned = canPin();
const CPUS = { gateway: '0', rest: '1' };
const fixed = (value: number, digits = 1) => Number(value.toFixed(digits));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string) => process.stderr.write(`${line}\n`);

const database = await benchDatabase();
const dir = await mkdtemp(join(tmpdir(), 'junction-bench-subscriptions-'));
const subgraphs = start('node', ['--import', 'tsx', 'bench/commerce-subgraphs.ts', '--products', String(products)], {
  ...(pinned ? { cpus: CPUS.rest } : {}),
  env: { NODE_ENV: 'production', GATEWAY_SECRET: SECRET, LOG_LEVEL: 'warn', DATABASE_URL: database?.url ?? '' },
});
const load = fork('bench/subscription-load.ts', [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
if (pinned) pinProcess(load.pid!, CPUS.rest);

/** One request to the load process, and its reply. */
function ask<T extends LoadReply['type']>(request: LoadRequest, expect: T): Promise<Extract<LoadReply, { type: T }>> {
  return new Promise((resolve, reject) => {
    load.once('message', (reply: LoadReply) => {
      if (reply.type === expect) resolve(reply as Extract<LoadReply, { type: T }>);
      else reject(new Error(reply.type === 'failed' ? reply.message : `Unexpected reply ${reply.type}`));
    });
    load.send(request);
  });
}

async function main(): Promise<number> {
  log(`Subgraphs: starting, with ${products} products (${database ? 'Postgres' : 'embedded database'})`);
  const [urlsLine] = await subgraphs.waitFor(/^\{.*\}$/m, 300_000);
  const urls = JSON.parse(urlsLine) as Record<string, string>;
  const composed = await composeSupergraph(
    await readSupergraphConfig('supergraph.yaml', { ACCOUNTS_URL: urls.accounts, PRODUCTS_URL: urls.products, INVENTORY_URL: urls.inventory, REVIEWS_URL: urls.reviews }),
  );
  if (!composed.ok) throw new Error(composed.problems.map(formatCompositionProblem).join('\n'));
  const supergraph = join(dir, 'supergraph.graphql');
  await writeFile(supergraph, composed.supergraphSdl);
  const idp = await issuer(dir);
  const token = await idp.token(String(world.users[0]!.id));

  const results: ModeResult[] = [];
  for (const [index, mode] of modes.entries()) results.push(await measureMode(mode, supergraph, 4950 + index, idp.jwksFile, token));

  const machine = { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', node: process.version, pinned, loadAverage: (await import('node:os')).loadavg() };
  const heading =
    `Subscriptions on one junction gateway process (alone: stock @apollo/gateway has no subscriptions): ${N} subscriptions over ` +
    `${Math.ceil(N / perConnection)} graphql-ws connections of ${perConnection}, ${settings.mutations} mutations, ${settings.rounds} round(s), ` +
    `${database ? 'Postgres' : 'embedded database'}, on ${machine.model}${pinned ? ', gateway on a core of its own' : ''}`;
  process.stdout.write(`\n${printSubscriptionReport(results, heading)}`);
  const failed = results.some((result) => result.errors.length > 0 || result.mutations.some((each) => each.missing > 0) || result.growth.grew);
  if (!values['no-save']) {
    await mkdir(values.out, { recursive: true });
    const date = new Date().toISOString();
    const report = { date, kind: 'subscriptions', machine, settings, database: database ? 'postgres' : 'embedded', results };
    const file = join(values.out, `subscriptions-${date.slice(0, 19).replace(/:/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(join(values.out, 'subscriptions-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\nWrote ${file}\n`);
  }
  return failed ? 1 : 0;
}

function launchGateway(supergraph: string, port: number, jwksFile: string): Started {
  return start(
    'node',
    [
      ...JUNCTION_NODE_OPTIONS,
      // Bench only: SIGUSR2 runs a full GC, so a reading is what the gateway still holds.
      ...['--expose-gc', '--require', './bench/gc-on-signal.cjs'],
      ...['bin/junction.js', 'gateway', '--supergraph', supergraph, '--port', String(port), '--host', '127.0.0.1'],
    ],
    {
      ...(pinned ? { cpus: CPUS.gateway } : {}),
      env: {
        NODE_ENV: 'production',
        GATEWAY_SECRET: SECRET,
        JWKS_FILE: jwksFile,
        JUNCTION_DATA_DIR: join(dir, `gateway-${port}`),
        ...(database ? { DATABASE_URL: database.url } : {}),
        // Every client is this one process on one address: the per-address and per-client limits are raised to fit it.
        RATE_LIMIT_BURST: '1000000',
        RATE_LIMIT_PER_SECOND: '1000000',
        MAX_CONNECTIONS_PER_ADDRESS: String(Math.ceil(N / perConnection) + 10),
        SUBSCRIPTIONS_PER_CONNECTION: String(perConnection),
        SUBSCRIPTIONS_PER_CLIENT: String(N),
      },
    },
  );
}

async function measureMode(mode: ModeResult['mode'], supergraph: string, port: number, jwksFile: string, token: string): Promise<ModeResult> {
  const url = `http://127.0.0.1:${port}/graphql`;
  const selection = '{ body author { username } product { name } }';
  const subscribers: Subscriber[] =
    mode === 'identical'
      ? Array.from({ length: N }, () => ({ query: `subscription ReviewAdded { reviewAdded ${selection} }` }))
      : Array.from({ length: N }, (_, index) => ({ query: `subscription ReviewAdded($upc: String) { reviewAdded(upc: $upc) ${selection} }`, variables: { upc: upcs[index] } }));
  const upcOf = (subscriber: number) => (mode === 'identical' ? upcs[subscriber % upcs.length]! : upcs[subscriber]!);
  let opened = 0;
  const dueTo = (subscriber: number) => (mode === 'identical' ? Array.from({ length: opened }, (_, index) => index) : [subscriber]);
  const errors: string[] = [];
  let sent = 0;
  const mutate = async (subscriber: number, timeoutMs: number): Promise<MutationResult> => {
    const body = `bench ${mode} ${++sent} ${Math.random().toString(36).slice(2)}`;
    const { result } = await ask({ type: 'mutate', url, token, upc: upcOf(subscriber), body, expect: dueTo(subscriber), timeoutMs }, 'mutated');
    // Reported, not fatal: on a loaded machine a subgraph's call to another can time out (createReview asks products).
    if (result.mutationErrors) errors.push(`createReview failed: ${result.mutationErrors}`);
    return result;
  };

  log(`${mode}: starting the gateway`);
  const gateway = launchGateway(supergraph, port, jwksFile);
  const settled = async (): Promise<Reading> => {
    gateway.child.kill('SIGUSR2');
    await pause(1500);
    const metrics = await scrape(url);
    return { rssMiB: fixed(memoryMiB(gateway.child.pid!).rss), heapMiB: fixed(metrics.heapUsedBytes / 2 ** 20) };
  };
  const until = async (what: string, test: (metrics: Metrics) => boolean, timeoutMs = 300_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!test(await scrape(url))) {
      if (Date.now() > deadline) throw new Error(`${mode}: ${what} not within ${timeoutMs / 1000} s: ${JSON.stringify(await scrape(url))}`);
      await pause(250);
    }
  };
  /** Until an event reaches `subscriber` (every subscriber in identical mode): the gateway holds its subscription at the subgraph. */
  const live = async (subscriber: number) => {
    for (let attempt = 1; ; attempt++) {
      const result = await mutate(subscriber, 10_000);
      if (result.missing === 0 && !result.mutationErrors) return;
      if (attempt === 10) throw new Error(`${mode}: ${result.missing} subscriber(s) still without an event after ${attempt} mutations`);
    }
  };
  const open = async (count: number): Promise<number> => {
    const startedAt = performance.now();
    await ask({ type: 'open', url, subscribers: subscribers.slice(0, count), perConnection }, 'opened');
    opened = count;
    await until(`${count} subscriptions active`, (metrics) => metrics.subscriptionsActive === count);
    // Spread over the connections, the last opened on each being the likeliest to be late.
    for (const subscriber of mode === 'identical' ? [0] : [count - 1, Math.floor(count / 2), 0]) await live(subscriber);
    return (performance.now() - startedAt) / 1000;
  };
  const close = async () => {
    await ask({ type: 'close' }, 'closed');
    await until('every subscription ended', (metrics) => metrics.subscriptionsActive === 0 && metrics.websocketConnections === 0);
  };

  let before: Reading = { rssMiB: NaN, heapMiB: NaN };
  const rounds: Round[] = [];
  const mutations: ModeResult['mutations'] = [];
  try {
    await untilAnswering(url, JSON.stringify({ query: '{ __typename }' }), gateway);
    // Warm-up: the code paths and plans of a subscription and an event, at a small scale.
    await open(Math.min(N, perConnection));
    await close();
    before = await settled();
    log(`${mode}: settled at ${before.rssMiB} MiB RSS, ${before.heapMiB} MiB heap`);

    for (let round = 1; round <= settings.rounds; round++) {
      const openSeconds = await open(N);
      if (round === 1) {
        log(`${mode}: ${N} open in ${openSeconds.toFixed(1)} s; ${settings.mutations} mutations`);
        for (let k = 0; k < settings.mutations; k++) {
          const result = await mutate(Math.floor((k * N) / settings.mutations), 30_000);
          if (result.mutationErrors) continue;
          const times = result.latenciesMs;
          mutations.push({ first: fixed(times[0] ?? NaN), median: fixed(percentile(times, 50)), last: fixed(times.at(-1) ?? NaN), missing: result.missing });
        }
      }
      const openReading = await settled();
      await close();
      const closed = await settled();
      rounds.push({ round, openSeconds: fixed(openSeconds), open: openReading, closed });
      log(`${mode}: round ${round}: open ${openReading.heapMiB} MiB heap / ${openReading.rssMiB} MiB RSS, closed ${closed.heapMiB} / ${closed.rssMiB}`);
    }
  } catch (error) {
    // What was measured so far is still reported, with what stopped it.
    errors.push(`stopped: ${(error as Error).message}`);
    log(`${mode}: ${(error as Error).message}`);
    // The clients let go before the gateway does, so its closing them is not the next mode's error.
    await ask({ type: 'close' }, 'closed').catch(() => {});
  } finally {
    await gateway.stop();
  }
  const first = rounds[0];
  const perSubscription = (field: keyof Reading) => (first ? fixed(((first.open[field] - before[field]) * 1024) / N, 2) : NaN);
  const perSubscriptionKiB = { rss: perSubscription('rssMiB'), heap: perSubscription('heapMiB') };
  return {
    mode,
    subscribers: N,
    connections: Math.ceil(N / perConnection),
    upstream: mode === 'identical' ? 1 : N,
    before,
    perSubscriptionKiB,
    mutations,
    latencyMs: summarizeLatency(mutations),
    rounds,
    growth: growthOf(rounds, perSubscriptionKiB.heap, N),
    errors,
  };
}

try {
  process.exitCode = await main();
} finally {
  load.disconnect();
  await subgraphs.stop();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
}
