import { fork, spawn, type ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { databaseOptions, openDatabase } from '#lib/db.js';
import { loadEnv } from '#lib/env.js';
import { listen } from '#lib/http.js';
import { createLogger } from '#lib/logger.js';
import { drainAndClose, shutdownTimeoutMs, stopOnSignals } from '#lib/shutdown.js';
import { composeSupergraph, formatCompositionProblem, readSupergraphConfig } from '#tooling/supergraph.js';
import { createGateway } from '../gateway/src/server.js';
import { hotReload, openSupergraphSource } from '#gateway/supergraph/supergraph-source.js';
import { fail, parseCommandLine } from './command-line.js';
import { composeContracts, writeContracts, type ContractFiles } from './dev-contracts.js';
import { createMigrationGate, shown, watchMigrations } from './dev-migrations.js';

const USAGE = `Usage: npm run dev -- [--config FILE] [--output FILE] [--code DIR ...]

Junction for development: like npm start, and on each save of supergraph.yaml or a
subgraph's SDL it runs codegen, composes (with the contracts of the contracts.yaml beside
the config), restarts the subgraphs and hot-reloads the gateway; on each save of the
subgraphs' code it restarts them; a new migration in a drizzle/ folder is applied first.
A db/schema.ts that no migration matches holds the restart until npm run db:generate.
  --config FILE  the supergraph config (default: supergraph.yaml)
  --output FILE  where the composed supergraph is written (default: supergraph.graphql)
  --code DIR     a folder of the subgraphs' TypeScript, watched with its subfolders;
                 repeatable (default: subgraphs and lib)`;

/** Saves come in bursts (editors write, then rename; a formatter runs): act once they are quiet. */
const QUIET_MS = 200;


const values = parseCommandLine(USAGE, {
  config: { type: 'string', default: 'supergraph.yaml' },
  output: { type: 'string', default: 'supergraph.graphql' },
  code: { type: 'string', multiple: true, default: ['subgraphs', 'lib'] },
});
const { config: configFile, output } = values;
const env = loadEnv();
const logger = createLogger(env, 'junction');
const schemaDir = resolve('schema');

/** Composes the config as it is now into `output`; false, with the problems printed, when it does not compose. */
async function compose(): Promise<{ files: string[] } | false> {
  try {
    const config = await readSupergraphConfig(configFile);
    const result = await composeSupergraph(config);
    if (!result.ok) {
      console.error(`Composition failed; still serving the previous supergraph:\n${result.problems.map(formatCompositionProblem).join('\n')}`);
      return false;
    }
    try {
      pendingContracts = await composeContracts(configFile, result.supergraphSdl);
    } catch (error) {
      console.error(`Contracts failed; still serving the previous supergraph:\n${(error as Error).message}`);
      return false;
    }
    if (result.supergraphSdl !== (await readFile(output, 'utf8').catch(() => ''))) pending = result.supergraphSdl;
    return { files: config.subgraphs.flatMap(({ schema }) => ('file' in schema ? [schema.file] : [])) };
  } catch (error) {
    console.error((error as Error).message);
    return false;
  }
}
// The composed supergraph and its contracts, written only once the subgraphs serving them are up.
let pending: string | undefined;
let pendingContracts: ContractFiles = new Map();

async function writePending(): Promise<void> {
  if (pending !== undefined) await writeFile(output, pending);
  pending = undefined;
  for (const file of await writeContracts(pendingContracts)) console.log(`Wrote the contract ${shown(file)}.`);
}

/** The subgraphs' process: resolves once it listens, rejects if it exits first. */
function startSubgraphs(): Promise<ChildProcess> {
  const child = fork(resolve('scripts/dev-subgraphs.ts'), [configFile], { execArgv: ['--import', 'tsx'] });
  return new Promise((ready, failed) => {
    child.once('message', () => ready(child));
    child.once('exit', (code) => failed(new Error(`The subgraphs exited (code ${code}) before they were ready.`)));
  });
}

function stopSubgraphs(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((stopped) => {
    child.once('exit', () => stopped());
    child.kill('SIGTERM');
  });
}

/** `npx graphql-codegen`: resolves with whether it succeeded; its output goes to the terminal. */
function codegen(): Promise<boolean> {
  return new Promise((done) => {
    const child = spawn('npx', ['graphql-codegen', '--config', 'codegen.ts'], { stdio: 'inherit' });
    child.once('exit', (code) => done(code === 0));
    child.once('error', () => done(false));
  });
}

const first = await compose();
if (!first) fail(`Cannot start: ${configFile} does not compose.`);
// The embedded database is this process's while it runs, not the subgraphs' it restarts: they, the
// gateway's API keys and any other command (db:migrate, junction api-key) use it through its socket.
const database = await openDatabase({ ...databaseOptions(env), embedded: 'hold' }).catch((error: Error) =>
  fail(`Cannot open the database: ${error.message}`),
);
let subgraphs = await startSubgraphs().catch((error: Error) => fail(error.message));
const contractNames = [...pendingContracts].map(([name, { file }]) => ({ name, file }));
await writePending();

// The gateway hot-reloads `output` as `junction gateway --supergraph` does: it never restarts here.
const source = openSupergraphSource(output, { logger, pollIntervalMs: env.SUPERGRAPH_POLL_INTERVAL_MS });
// Each contract's file is hot-reloaded as the supergraph's is (junction gateway --contract NAME=FILE).
const contractSources = contractNames.map(({ name, file }) => ({ name, source: openSupergraphSource(file, { logger, pollIntervalMs: env.SUPERGRAPH_POLL_INTERVAL_MS }) }));
const contracts = Object.fromEntries(await Promise.all(contractSources.map(async ({ name, source: contract }) => [name, await contract.load()])));
const gateway = await createGateway({ supergraphSdl: await source.load(), contracts, logger: logger.child({ component: 'gateway' }), env, db: database.db });
const reloading = [
  hotReload(source, gateway.reload, logger.child({ component: 'gateway' })),
  ...contractSources.map(({ name, source: contract }) => hotReload(contract, (sdl) => gateway.reload(sdl, name), logger.child({ component: 'gateway', contract: name }))),
];
const listening = await listen(gateway.server, env.PORT ?? 4000, env.HOST);

/**
 * One burst of saves' work: codegen (when an SDL in schema/ changed) and
 * composition when the config or an SDL changed; then, as for code alone,
 * the subgraphs restart and the supergraph is written for the gateway.
 */
async function rebuild(changed: Set<string>, schemaSaved: boolean): Promise<void> {
  for (const file of held) changed.add(file);
  held.clear();
  if (schemaSaved) {
    if ([...changed].some((file) => dirname(file) === schemaDir) && !(await codegen())) {
      console.error('Codegen failed; the generated resolver types are stale.');
    }
    const composed = await compose();
    if (!composed) return;
    watchFiles(composed.files);
  }
  // A db/schema.ts without its migration, or a migration that fails: the subgraphs serve on as they are.
  if (!(await migrations.beforeRestart(changed, subgraphs))) {
    for (const file of changed) held.add(file);
    return;
  }
  console.log('Restarting the subgraphs...');
  await stopSubgraphs(subgraphs);
  try {
    subgraphs = await startSubgraphs();
  } catch (error) {
    console.error(`${(error as Error).message} Fix the error and save again.`);
    return;
  }
  await writePending();
  console.log(`Rebuilt: ${[...changed].join(', ')}`);
}

// Saves while a rebuild runs are gathered for the next one.
let changed = new Set<string>();
let schemaSaved = false;
let timer: NodeJS.Timeout | undefined;
let building: Promise<void> = Promise.resolve();
// Saves whose restart waits for a migration (or a fix to one).
const held = new Set<string>();
const migrations = createMigrationGate();
const watchers = new Map<string, ReturnType<typeof watch>>();
const watched = new Set<string>();

/** Gathers a save (of the config or an SDL: `schema`; or of code) into the next rebuild, which starts once saves are quiet. */
function saved(file: string, schema: boolean): void {
  changed.add(file);
  schemaSaved ||= schema;
  clearTimeout(timer);
  timer = setTimeout(() => {
    const [batch, schemaInBatch] = [changed, schemaSaved];
    changed = new Set();
    schemaSaved = false;
    building = building.then(() => rebuild(batch, schemaInBatch)).catch((error: unknown) => logger.error({ err: error }, 'rebuild failed'));
  }, QUIET_MS);
}

function watchFiles(files: string[]) {
  watched.clear();
  for (const file of [resolve(configFile), ...files]) watched.add(file);
  for (const dir of new Set([...watched].map((file) => dirname(file)))) {
    if (watchers.has(dir)) continue;
    watchers.set(dir, watch(dir, (_event, name) => {
      const file = name ? resolve(dir, name.toString()) : dir;
      if (watched.has(file) || !name) saved(file, true);
    }));
  }
}

// The subgraphs' code: TypeScript only, and not what codegen writes (it runs on SDL saves, which restart anyway).
for (const dir of values.code.map((folder) => resolve(folder))) {
  watchers.set(`${dir}/**`, watch(dir, { recursive: true }, (_event, name) => {
    const file = name?.toString();
    if (file?.endsWith('.ts') && !file.includes('__generated__')) saved(resolve(dir, file), false);
  }));
}
watchFiles(first.files);
const migrationWatchers = watchMigrations((file) => saved(file, false));
// Once up (the comparison takes seconds), a db/schema.ts changed while dev was stopped is told.
building = building.then(migrations.checkAll).catch((error: unknown) => logger.error({ err: error }, 'comparing the schemas with their migrations failed'));

console.log(`
Junction (dev) is running: ${listening.url}
  watching ${configFile} and the SDL it names; each save runs codegen, composes into ${output},
  restarts the subgraphs and hot-reloads the gateway. A save of their code (${values.code.join(', ')}) restarts them;
  a new migration (npm run db:generate) is applied first.
Press Ctrl-C to stop.`);

stopOnSignals(
  async () => {
    console.log('\nStopping Junction...');
    clearTimeout(timer);
    for (const watcher of [...watchers.values(), ...migrationWatchers]) watcher.close();
    for (const reload of reloading) reload.stop();
    await drainAndClose([gateway.drainable(listening)], env);
    await gateway.stop();
    await building;
    await stopSubgraphs(subgraphs);
    await database.close();
  },
  { logger, timeoutMs: 2 * shutdownTimeoutMs(env) },
);
