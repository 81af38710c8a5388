import { parseArgs } from 'node:util';
import { loadEnv } from '#lib/env.js';
import { listen } from '#lib/http.js';
import { createLogger } from '#lib/logger.js';
import { drainAndClose, shutdownTimeoutMs, stopOnSignals } from '#lib/shutdown.js';
import { startTelemetry } from '#lib/telemetry.js';
import { openApiKeyDatabase } from '#gateway/stages/identify/api-key-database.js';
import { clusterRole, parseWorkers, reportReady, runPrimary } from '#gateway/http/cluster.js';
import { createGateway } from './server.js';
import { hotReload, openSupergraphSource, parseInterval } from '#gateway/supergraph/supergraph-source.js';

export const GATEWAY_USAGE = `Usage: junction gateway --supergraph FILE|URL [--contract NAME=FILE|URL]... [--poll-interval T] [--port N] [--host HOST] [--workers N]

Serves a composed Federation 2 supergraph as one GraphQL endpoint at /graphql.
  --supergraph FILE  the supergraph SDL (e.g. supergraph.graphql), watched: a new
                     valid one is served from the next request on, an invalid one logged
  --supergraph URL   an http(s) URL serving the SDL, polled with its ETag
  --contract NAME=FILE|URL
                     a contract's supergraph (npm run compose writes contracts/NAME.graphql),
                     served instead to the clients CONTRACT_CLIENTS maps to NAME; watched
                     or polled as --supergraph is; repeat for each contract
  --poll-interval T  how often to poll a URL: 500ms, 10s, 2m (default: SUPERGRAPH_POLL_INTERVAL_MS, else 10s)
  --port N           port to listen on (default: PORT, else 4000)
  --host HOST        address to bind (default: HOST, else all interfaces)
  --workers N        processes serving that port, or "auto" for one per core (default: 1);
                     more than one needs DATABASE_URL`;

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** `junction gateway`: read the config, build the gateway, listen, stop cleanly on a signal. */
export async function main(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        supergraph: { type: 'string' },
        contract: { type: 'string', multiple: true },
        'poll-interval': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n\n${GATEWAY_USAGE}`, 2);
  }
  if (values.help) return void process.stdout.write(`${GATEWAY_USAGE}\n`);
  if (!values.supergraph) fail(`--supergraph is required.\n\n${GATEWAY_USAGE}`, 2);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    fail(`--port must be a port number; got "${values.port}".`, 2);
  }
  const pollIntervalMs = values['poll-interval'] === undefined ? undefined : parseInterval(values['poll-interval']);
  if (values['poll-interval'] !== undefined && pollIntervalMs === undefined) {
    fail(`--poll-interval must be a duration such as 500ms, 10s or 2m; got "${values['poll-interval']}".`, 2);
  }
  const contractFlags = new Map<string, string>();
  for (const flag of values.contract ?? []) {
    const [, name, location] = /^([a-z][a-z0-9_-]*)=(.+)$/.exec(flag) ?? [];
    if (!name || !location) fail(`--contract must be NAME=FILE or NAME=URL (NAME in lowercase letters, digits, - and _); got "${flag}".`, 2);
    if (contractFlags.has(name)) fail(`--contract ${name} is given twice.`, 2);
    contractFlags.set(name, location);
  }
  const workers = values.workers === undefined ? 1 : parseWorkers(values.workers);
  if (workers === undefined) fail(`--workers must be a whole number of at least 1, or "auto"; got "${values.workers}".`, 2);
  const role = clusterRole(workers);

  const env = loadEnv();
  // The embedded database lives in one process's memory: workers that check API keys must share a server.
  if (role === 'primary' && !env.DATABASE_URL && env.API_KEYS) {
    fail(`--workers ${workers} needs DATABASE_URL (or API_KEYS=false): the embedded database cannot be shared between processes.`, 2);
  }
  const logger = createLogger(env, 'gateway');
  const source = openSupergraphSource(values.supergraph, { logger, pollIntervalMs: pollIntervalMs ?? env.SUPERGRAPH_POLL_INTERVAL_MS });
  const supergraphSdl = await source.load().catch((error: Error) => fail(error.message));
  const contractSources = [...contractFlags].map(([name, location]) => ({
    name,
    source: openSupergraphSource(location, { logger, pollIntervalMs: pollIntervalMs ?? env.SUPERGRAPH_POLL_INTERVAL_MS }),
  }));
  const contracts: Record<string, string> = {};
  for (const { name, source: contract } of contractSources) {
    contracts[name] = await contract.load().catch((error: Error) => fail(`--contract ${name}: ${error.message}`));
  }
  // API keys live in Postgres (DATABASE_URL), migrated once per start by the primary before it forks, so workers
  // never race; or in the embedded database under JUNCTION_DATA_DIR, opened on first use (api-key-database.ts).
  const keys = await openApiKeyDatabase(env, { migrate: role !== 'worker', logger }).catch((error: Error) =>
    fail(`Cannot open the database for API keys: ${error.message}`),
  );
  if (role === 'primary') {
    await keys.close();
    return runPrimary({ workers, supergraph: source.label, logger, workerStopMs: shutdownTimeoutMs(env) });
  }

  // Per serving process (each worker its own); the primary only forks, and traces nothing.
  const telemetry = await startTelemetry(env, 'gateway');
  const gateway = await createGateway({ supergraphSdl, contracts, logger, env, db: keys.db, apiKeys: keys.verifier }).catch((error: Error) =>
    fail(`Cannot serve the supergraph ${source.label}: ${error.message}`),
  );
  // Each worker watches (or polls) on its own: a new worker starts from the supergraph as it is now.
  const watching = [
    hotReload(source, (sdl) => gateway.reload(sdl), logger),
    ...contractSources.map(({ name, source: contract }) => hotReload(contract, (sdl) => gateway.reload(sdl, name), logger)),
  ];
  const host = values.host ?? env.HOST;
  const listening = await listen(gateway.server, port ?? env.PORT ?? 4000, host).catch((error: Error) =>
    fail(`Cannot listen: ${error.message}`),
  );
  if (role === 'worker') {
    logger.info({ url: listening.url, worker: process.pid }, 'worker ready');
    reportReady(listening.url);
  } else {
    logger.info({ url: listening.url, supergraph: source.label }, 'gateway ready');
  }

  // Not ready at once; in-flight requests finish (within SHUTDOWN_GRACE_MS); then subgraph clients, Redis, the pool.
  stopOnSignals(
    async () => {
      for (const watch of watching) watch.stop();
      await drainAndClose([gateway.drainable(listening)], env);
      await gateway.stop();
      await keys.close();
      await telemetry.shutdown();
    },
    { logger, timeoutMs: shutdownTimeoutMs(env) },
  );
}
