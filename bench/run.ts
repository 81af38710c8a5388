/**
 * `npm run bench`: Junction side by side with stock @apollo/gateway, in one run.
 *
 * The fixed-data subgraphs (bench/subgraphs.ts) and the load generator
 * (autocannon, in this process) run on one core; each gateway in turn gets
 * the other core to itself (taskset). For each: readiness, a check that the
 * benchmark query's answer is complete and exactly right, warm-up, then a
 * fixed duration at 50 connections with every response compared to that
 * answer. Then `{ me { id } }` one request at a time, through each gateway
 * and straight to the subgraph: the gateway's own overhead. Prints a table
 * and writes the same figures to bench/results/.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { composeSupergraph, formatCompositionProblem, readSupergraphConfig } from '#lib/supergraph.js';
import { supergraphForGateway } from '../gateway/src/authorization.js';
import { BENCHMARK_QUERY, SMALL_QUERY, expectedBenchmarkData } from './data.js';
import { canPin, cpuMs, memoryMiB, pinSelf, profileInto, start, type Started } from './processes.js';

const USAGE = `Usage: npm run bench -- [options]

  --duration S      measured seconds per gateway (default 20)
  --warmup S        warm-up seconds per gateway (default 5)
  --connections N   concurrent connections (default 50)
  --small N         sequential { me { id } } requests per target (default 3000)
  --gateways LIST   which to run, of baseline,junction,junction-2 (default: all)
  --out DIR         where to write the JSON (default bench/results)
  --profile DIR     write each gateway's CPU profile (node --cpu-prof) into DIR
  --no-save         print only`;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    small: { type: 'string', default: '3000' },
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
  connections: Number(values.connections),
  smallRequests: Number(values.small),
};
for (const [name, value] of Object.entries(settings)) {
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number.`);
}

/** The gateway's core and the load's core; with fewer than two cores nothing is pinned. */
const pinned = canPin();
const GATEWAY_CPU = '0';
const LOAD_CPU = '1';
if (pinned) pinSelf(LOAD_CPU);

type GatewaySpec = { name: string; label: string; cpus: string; launch(supergraph: string, port: number, dir: string): Started };

const SECRET = 'benchmark-gateway-secret-of-32-characters';

/**
 * Where `junction gateway` keeps API keys: DATABASE_URL, else the local
 * Postgres when one answers, else (one worker only) the embedded database,
 * whose memory then counts in the gateway's RSS.
 */
async function gatewayDatabase(): Promise<string | undefined> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const url = 'postgres://postgres@127.0.0.1:5432/postgres';
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return url;
  } catch {
    return undefined;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
const databaseUrl = await gatewayDatabase();
/** The node options `npx junction` runs with: those on bin/junction.js's #! line. */
const JUNCTION_NODE_OPTIONS = /^#!.*\bnode\b(.*)$/m.exec(readFileSync('bin/junction.js', 'utf8'))?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];

const junction = (workers: number): GatewaySpec['launch'] => (supergraph, port, dir) =>
  start(
    'node',
    [...JUNCTION_NODE_OPTIONS, 'bin/junction.js', 'gateway', '--supergraph', supergraph, '--port', String(port), '--host', '127.0.0.1', ...(workers > 1 ? ['--workers', String(workers)] : [])],
    {
      ...(pinned ? { cpus: workers > 1 ? `${GATEWAY_CPU},${LOAD_CPU}` : GATEWAY_CPU } : {}),
      env: {
        NODE_ENV: 'production',
        GATEWAY_SECRET: SECRET,
        // Every default stays on; the per-address limit is raised because all the load comes from one address.
        RATE_LIMIT_BURST: '1000000',
        RATE_LIMIT_PER_SECOND: '1000000',
        JUNCTION_DATA_DIR: dir,
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      },
    },
  );

const GATEWAYS: GatewaySpec[] = [
  {
    name: 'baseline',
    label: '@apollo/gateway (stock)',
    cpus: GATEWAY_CPU,
    // Stock @apollo/gateway refuses the @authenticated/@requiresScopes links (for: SECURITY), so it gets the supergraph without them.
    launch: (supergraph, port) =>
      start('node', ['--import', 'tsx', 'bench/baseline-gateway.ts', supergraph.replace(/\.graphql$/, '-stock.graphql'), String(port)], {
        ...(pinned ? { cpus: GATEWAY_CPU } : {}),
        env: { NODE_ENV: 'production' },
      }),
  },
  { name: 'junction', label: 'junction gateway', cpus: GATEWAY_CPU, launch: junction(1) },
  { name: 'junction-2', label: 'junction gateway --workers 2', cpus: `${GATEWAY_CPU},${LOAD_CPU}`, launch: junction(2) },
];

const chosen = values.gateways.split(',').flatMap((name) => {
  const spec = GATEWAYS.find((gateway) => gateway.name === name.trim());
  if (!spec) throw new Error(`Unknown gateway "${name}"; choose from ${GATEWAYS.map((g) => g.name).join(', ')}.`);
  if (spec.name === 'junction-2' && !databaseUrl) {
    process.stderr.write('Skipping --workers 2: workers share API keys through Postgres, and neither DATABASE_URL nor a local Postgres answers.\n');
    return [];
  }
  return [spec];
});

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function post(url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function untilAnswering(url: string, body: string, started: Started): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (started.child.exitCode !== null) throw new Error(`The gateway exited:\n${started.output()}`);
    const answer = await post(url, body).catch(() => undefined);
    if (answer?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`The gateway did not answer within 60 s:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The gateway's exact answer, once checked against the data: the body every later response must equal. */
async function checkedAnswer(url: string, body: string, expected: unknown, what: string): Promise<string> {
  const { status, text } = await post(url, body);
  const parsed = JSON.parse(text) as { data?: unknown; errors?: unknown[] };
  if (status !== 200 || parsed.errors) throw new Error(`${what}: HTTP ${status} with errors: ${text.slice(0, 2000)}`);
  if (!isDeepStrictEqual(parsed.data, expected)) throw new Error(`${what}: the answer is not the expected data: ${text.slice(0, 2000)}`);
  return text;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** One request at a time: latency without queueing, in microseconds. */
async function sequential(url: string, body: string, count: number, expectedText: string) {
  for (let i = 0; i < Math.min(500, count); i++) await post(url, body);
  const micros: number[] = [];
  let errors = 0;
  for (let i = 0; i < count; i++) {
    const startedAt = process.hrtime.bigint();
    const { status, text } = await post(url, body);
    micros.push(Number(process.hrtime.bigint() - startedAt) / 1000);
    if (status !== 200 || text !== expectedText) errors++;
  }
  micros.sort((a, b) => a - b);
  return { p50: percentile(micros, 50), p99: percentile(micros, 99), errors };
}

async function load(url: string, body: string, seconds: number, expectBody?: string) {
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: settings.connections,
    duration: seconds,
    ...(expectBody ? { expectBody } : {}),
  });
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits));

// --- the subgraphs and the supergraph over them
const subgraphs = start('node', ['--import', 'tsx', 'bench/subgraphs.ts'], pinned ? { cpus: LOAD_CPU } : {});
const [urlsLine] = await subgraphs.waitFor(/^\{.*\}$/m);
const urls = JSON.parse(urlsLine) as Record<string, string>;
// Only the gateways are profiled.
if (values.profile) profileInto(resolve(values.profile));
const dir = await mkdtemp(join(tmpdir(), 'junction-bench-'));
const config = await readSupergraphConfig('supergraph.yaml', {
  ACCOUNTS_URL: urls.accounts,
  PRODUCTS_URL: urls.products,
  INVENTORY_URL: urls.inventory,
  REVIEWS_URL: urls.reviews,
});
const composed = await composeSupergraph(config);
if (!composed.ok) throw new Error(composed.problems.map(formatCompositionProblem).join('\n'));
const supergraphFile = join(dir, 'supergraph.graphql');
await writeFile(supergraphFile, composed.supergraphSdl);
await writeFile(supergraphFile.replace(/\.graphql$/, '-stock.graphql'), supergraphForGateway(composed.supergraphSdl));

const benchBody = JSON.stringify({ query: BENCHMARK_QUERY, operationName: 'TestQuery' });
const smallBody = JSON.stringify({ query: SMALL_QUERY });
const expected = expectedBenchmarkData();
const smallExpected = { me: { id: '1' } };

type Run = {
  gateway: string;
  label: string;
  cpus: string;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  requests: number;
  errors: { total: number; non2xx: number; mismatches: number; timeouts: number; socket: number };
  responseBytes: number;
  rssMiB: number;
  peakRssMiB: number;
  gatewayCpuPercent: number;
  /** CPU time the gateway spent per request: the figure least disturbed by anything else on the machine. */
  gatewayCpuMsPerRequest: number;
  subgraphCpuPercent: number;
  loadCpuPercent: number;
  small: { p50Us: number; p99Us: number; overheadUs?: number; errors: number };
};
const runs: Run[] = [];

try {
  const direct = await sequential(urls.accounts!, smallBody, settings.smallRequests, await checkedAnswer(urls.accounts!, smallBody, smallExpected, 'accounts subgraph'));
  for (const spec of chosen) {
    const port = 4900 + runs.length;
    const url = `http://127.0.0.1:${port}/graphql`;
    process.stderr.write(`${spec.label}: starting\n`);
    const gateway = spec.launch(supergraphFile, port, dir);
    try {
      await untilAnswering(url, smallBody, gateway);
      const answer = await checkedAnswer(url, benchBody, expected, spec.label);
      const smallAnswer = await checkedAnswer(url, smallBody, smallExpected, spec.label);
      process.stderr.write(`${spec.label}: warming up for ${settings.warmupSeconds} s\n`);
      await load(url, benchBody, settings.warmupSeconds);

      process.stderr.write(`${spec.label}: measuring for ${settings.durationSeconds} s at ${settings.connections} connections\n`);
      const pid = gateway.child.pid!;
      const before = { gateway: cpuMs(pid), subgraphs: cpuMs(subgraphs.child.pid!), load: process.cpuUsage() };
      const startedAt = performance.now();
      const result = await load(url, benchBody, settings.durationSeconds, answer);
      const elapsed = performance.now() - startedAt;
      const loadCpu = process.cpuUsage(before.load);
      const used = { gateway: cpuMs(pid) - before.gateway, subgraphs: cpuMs(subgraphs.child.pid!) - before.subgraphs };
      const memory = memoryMiB(pid);
      const share = (ms: number) => round((100 * ms) / elapsed);

      const small = await sequential(url, smallBody, settings.smallRequests, smallAnswer);
      const errors = {
        non2xx: result.non2xx,
        mismatches: result.mismatches,
        timeouts: result.timeouts,
        socket: result.errors,
      };
      runs.push({
        gateway: spec.name,
        label: spec.label,
        cpus: pinned ? spec.cpus : 'unpinned',
        requestsPerSecond: round(result.requests.total / (result.duration || settings.durationSeconds), 1),
        latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
        requests: result.requests.total,
        errors: { total: errors.non2xx + errors.mismatches + errors.timeouts + errors.socket, ...errors },
        responseBytes: Buffer.byteLength(answer),
        rssMiB: round(memory.rss),
        peakRssMiB: round(memory.peak),
        gatewayCpuPercent: share(used.gateway),
        gatewayCpuMsPerRequest: round(used.gateway / result.requests.total, 2),
        subgraphCpuPercent: share(used.subgraphs),
        loadCpuPercent: share((loadCpu.user + loadCpu.system) / 1000),
        small: { p50Us: round(small.p50), p99Us: round(small.p99), overheadUs: round(small.p50 - direct.p50), errors: small.errors },
      });
    } finally {
      await gateway.stop();
    }
  }

  // --- the report
  const baseline = runs.find((run) => run.gateway === 'baseline');
  const ratio = (run: Run) => (baseline ? `${(run.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}x` : '-');
  const rows = [
    ['gateway', 'cores', 'req/s', 'vs stock', 'p50 ms', 'p99 ms', 'errors', 'RSS MiB', 'gateway CPU', 'CPU ms/req', 'subgraphs CPU', 'load CPU'],
    ...runs.map((run) => [
      run.label,
      run.cpus,
      run.requestsPerSecond.toFixed(1),
      ratio(run),
      String(run.latencyMs.p50),
      String(run.latencyMs.p99),
      String(run.errors.total),
      String(run.rssMiB),
      `${run.gatewayCpuPercent}%`,
      run.gatewayCpuMsPerRequest.toFixed(2),
      `${run.subgraphCpuPercent}%`,
      `${run.loadCpuPercent}%`,
    ]),
  ];
  const smallRows = [
    ['{ me { id } }, one at a time', 'p50 µs', 'p99 µs', 'overhead p50 µs'],
    ['straight to the accounts subgraph', String(round(direct.p50)), String(round(direct.p99)), '-'],
    ...runs.map((run) => [run.label, String(run.small.p50Us), String(run.small.p99Us), String(run.small.overheadUs)]),
  ];
  const table = (data: string[][]) => {
    const widths = data[0]!.map((_, column) => Math.max(...data.map((row) => row[column]!.length)));
    return data.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')).join('\n');
  };
  const machine = { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', node: process.version, pinned };
  process.stdout.write(
    `\nBenchmark query (${runs[0]?.responseBytes ?? 0} bytes per answer), ${settings.connections} connections, ` +
      `${settings.durationSeconds} s after ${settings.warmupSeconds} s warm-up, on ${machine.model}\n\n${table(rows)}\n\n${table(smallRows)}\n`,
  );
  const failed = runs.filter((run) => run.errors.total > 0 || run.small.errors > 0);
  if (failed.length > 0) process.stdout.write(`\nErrors in: ${failed.map((run) => run.label).join(', ')}\n`);

  if (!values['no-save']) {
    await mkdir(values.out, { recursive: true });
    const report = { date: new Date().toISOString(), machine, settings, database: databaseUrl ? 'postgres' : 'embedded', direct: { p50Us: round(direct.p50), p99Us: round(direct.p99) }, runs };
    const file = join(values.out, `${report.date.slice(0, 19).replace(/:/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(join(values.out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\nWrote ${file}\n`);
  }
  process.exitCode = failed.length > 0 ? 1 : 0;
} finally {
  agent.destroy();
  await subgraphs.stop();
  await rm(dir, { recursive: true, force: true });
}
