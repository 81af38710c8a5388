/**
 * `npm run bench` (bench/run.ts): Junction side by side with stock @apollo/gateway, in one run.
 *
 * The fixed-data subgraphs (bench/subgraphs.ts) and the load generator
 * (autocannon, in this process) run on one core; each gateway in turn gets
 * the other core to itself (taskset). For each: readiness, a check that the
 * benchmark query's answer is complete and exactly right, warm-up, then a
 * fixed duration at 50 connections with every response compared to that
 * answer. Then `{ me { id } }` one request at a time, through each gateway
 * and straight to the subgraph: the gateway's own overhead.
 *
 * The gateways take turns for several rounds and each is reported by its
 * median round: a shared virtual machine's speed drifts by tens of percent
 * over minutes, and turns spread that drift over all of them. Prints a table
 * and writes the same figures to bench/results/.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { composeSupergraph, formatCompositionProblem, readSupergraphConfig } from '#tooling/supergraph.js';
import { supergraphForGateway } from '#gateway/stages/authorization/authorization.js';
import { BENCHMARK_QUERY, SMALL_QUERY, expectedBenchmarkData } from './data.js';
import { gatewayDatabase, gatewaySpecs, type GatewaySpec } from './gateways.js';
import { checkedAnswer, closeConnections, load, sequential, untilAnswering } from './measure.js';
import { canPin, cpuMs, memoryMiB, pinSelf, profileInto, start } from './processes.js';
import { printReport, summarize, type Run } from './report.js';

const USAGE = `Usage: npm run bench -- [options]

  --duration S      measured seconds per gateway and round (default 15)
  --warmup S        warm-up seconds per gateway and round (default 5)
  --rounds N        turns each gateway takes; each is reported by its median (default 3)
  --connections N   concurrent connections (default 50)
  --small N         sequential { me { id } } requests per gateway and round (default 2000)
  --gateways LIST   which to run, of baseline,junction,junction-2 (default: all)
  --out DIR         where to write the JSON (default bench/results)
  --profile DIR     write each gateway's CPU profile (node --cpu-prof) into DIR
  --no-save         print only

With --subscriptions, many concurrent subscriptions on one Junction gateway instead (bench/subscriptions.ts).`;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    small: { type: 'string', default: '2000' },
    gateways: { type: 'string', default: 'baseline,junction,junction-2' },
    out: { type: 'string', default: 'bench/results' },
    profile: { type: 'string' },
    'no-save': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const settings = {
  durationSeconds: Number(values.duration),
  warmupSeconds: Number(values.warmup),
  rounds: Number(values.rounds),
  connections: Number(values.connections),
  smallRequests: Number(values.small),
};
for (const [name, value] of Object.entries(settings)) {
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number.`);
}

/** The gateway's core and the load's core; with fewer than two cores nothing is pinned. */
const pinned = canPin();
const CPUS = { gateway: '0', load: '1' };
if (pinned) pinSelf(CPUS.load);

const databaseUrl = await gatewayDatabase();
const specs = gatewaySpecs(databaseUrl);
const chosen = values.gateways.split(',').flatMap((name): GatewaySpec[] => {
  const spec = specs.find((each) => each.name === name.trim());
  if (!spec) throw new Error(`Unknown gateway "${name}"; choose from ${specs.map((each) => each.name).join(', ')}.`);
  if (spec.name === 'junction-2' && !databaseUrl) {
    process.stderr.write('Skipping --workers 2: workers share API keys through Postgres, and neither DATABASE_URL nor a local Postgres answers.\n');
    return [];
  }
  return [spec];
});

const fixed = (value: number, digits = 0) => Number(value.toFixed(digits));

// --- the subgraphs and the supergraph over them
const subgraphs = start('node', ['--import', 'tsx', 'bench/subgraphs.ts'], pinned ? { cpus: CPUS.load } : {});
const [urlsLine] = await subgraphs.waitFor(/^\{.*\}$/m);
const urls = JSON.parse(urlsLine) as Record<string, string>;
// Only the gateways are profiled.
if (values.profile) profileInto(resolve(values.profile));
const dir = await mkdtemp(join(tmpdir(), 'junction-bench-'));
const composed = await composeSupergraph(
  await readSupergraphConfig('supergraph.yaml', {
    ACCOUNTS_URL: urls.accounts,
    PRODUCTS_URL: urls.products,
    INVENTORY_URL: urls.inventory,
    REVIEWS_URL: urls.reviews,
  }),
);
if (!composed.ok) throw new Error(composed.problems.map(formatCompositionProblem).join('\n'));
const supergraph = join(dir, 'supergraph.graphql');
await writeFile(supergraph, composed.supergraphSdl);
await writeFile(supergraph.replace(/\.graphql$/, '-stock.graphql'), supergraphForGateway(composed.supergraphSdl));

const benchBody = JSON.stringify({ query: BENCHMARK_QUERY, operationName: 'TestQuery' });
const smallBody = JSON.stringify({ query: SMALL_QUERY });
const expected = expectedBenchmarkData();
const smallExpected = { me: { id: '1' } };

/** One turn of one gateway: started, checked, warmed up, measured, stopped. */
async function measure(spec: GatewaySpec, round: number, port: number, direct: { p50: number }): Promise<Run> {
  const url = `http://127.0.0.1:${port}/graphql`;
  const what = `${spec.label} (round ${round})`;
  process.stderr.write(`${what}: starting\n`);
  const gateway = spec.launch({ supergraph, port, dir, ...(pinned ? { cpus: CPUS } : {}) });
  try {
    await untilAnswering(url, smallBody, gateway);
    const answer = await checkedAnswer(url, benchBody, expected, spec.label);
    const smallAnswer = await checkedAnswer(url, smallBody, smallExpected, spec.label);
    process.stderr.write(`${what}: warming up for ${settings.warmupSeconds} s, then measuring for ${settings.durationSeconds} s\n`);
    await load(url, benchBody, { seconds: settings.warmupSeconds, connections: settings.connections });

    const pid = gateway.child.pid!;
    const before = { gateway: cpuMs(pid), subgraphs: cpuMs(subgraphs.child.pid!), load: process.cpuUsage() };
    const startedAt = performance.now();
    const result = await load(url, benchBody, { seconds: settings.durationSeconds, connections: settings.connections, expectBody: answer });
    const elapsed = performance.now() - startedAt;
    const loadCpu = process.cpuUsage(before.load);
    const used = { gateway: cpuMs(pid) - before.gateway, subgraphs: cpuMs(subgraphs.child.pid!) - before.subgraphs };
    const memory = memoryMiB(pid);
    const share = (ms: number) => fixed((100 * ms) / elapsed);

    const small = await sequential(url, smallBody, settings.smallRequests, smallAnswer);
    const errors = { non2xx: result.non2xx, mismatches: result.mismatches, timeouts: result.timeouts, socket: result.errors };
    return {
      gateway: spec.name,
      label: spec.label,
      cores: pinned ? spec.cores(CPUS) : 'unpinned',
      round,
      requestsPerSecond: fixed(result.requests.total / (result.duration || settings.durationSeconds), 1),
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      requests: result.requests.total,
      errors: { total: errors.non2xx + errors.mismatches + errors.timeouts + errors.socket, ...errors },
      responseBytes: Buffer.byteLength(answer),
      rssMiB: fixed(memory.rss),
      peakRssMiB: fixed(memory.peak),
      gatewayCpuPercent: share(used.gateway),
      gatewayCpuMsPerRequest: fixed(used.gateway / Math.max(result.requests.total, 1), 2),
      subgraphCpuPercent: share(used.subgraphs),
      loadCpuPercent: share((loadCpu.user + loadCpu.system) / 1000),
      small: { p50Us: fixed(small.p50), p99Us: fixed(small.p99), overheadUs: fixed(small.p50 - direct.p50), errors: small.errors },
    };
  } finally {
    await gateway.stop();
  }
}

try {
  const directAnswer = await checkedAnswer(urls.accounts!, smallBody, smallExpected, 'accounts subgraph');
  const direct = await sequential(urls.accounts!, smallBody, settings.smallRequests, directAnswer);
  const runs: Run[] = [];
  for (let round = 1; round <= Math.max(1, settings.rounds); round++) {
    for (const spec of chosen) runs.push(await measure(spec, round, 4900 + runs.length, direct));
  }

  const summaries = summarize(runs);
  const machine = { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', node: process.version, pinned };
  const heading =
    `Benchmark query (${runs[0]?.responseBytes ?? 0} bytes per answer), ${settings.connections} connections, ` +
    `${settings.durationSeconds} s after ${settings.warmupSeconds} s warm-up, median of ${Math.max(1, settings.rounds)} round(s), on ${machine.model}`;
  process.stdout.write(`\n${printReport(summaries, direct, heading)}`);
  const failed = summaries.filter((summary) => summary.allErrors > 0 || summary.smallErrors > 0);
  if (failed.length > 0) process.stdout.write(`\nErrors in: ${failed.map((summary) => summary.label).join(', ')}\n`);

  if (!values['no-save']) {
    await mkdir(values.out, { recursive: true });
    const report = {
      date: new Date().toISOString(),
      machine,
      settings,
      database: databaseUrl ? 'postgres' : 'embedded',
      direct: { p50Us: fixed(direct.p50), p99Us: fixed(direct.p99) },
      summaries,
      runs,
    };
    const text = `${JSON.stringify(report, null, 2)}\n`;
    const file = join(values.out, `${report.date.slice(0, 19).replace(/:/g, '-')}.json`);
    await writeFile(file, text);
    await writeFile(join(values.out, 'latest.json'), text);
    process.stdout.write(`\nWrote ${file}\n`);
  }
  process.exitCode = failed.length > 0 ? 1 : 0;
} finally {
  closeConnections();
  await subgraphs.stop();
  await rm(dir, { recursive: true, force: true });
}
