import { createServer } from 'node:http';
import { databaseOptions, openDatabase } from '#lib/db.js';
import { loadEnv, type Env } from '#lib/env.js';
import { listen } from '#lib/http.js';
import { createLogger } from '#lib/logger.js';
import { migrateAll, SUBGRAPHS, type SubgraphName } from '#lib/migrate.js';
import { drainAndClose, shutdownTimeoutMs, stopOnSignals } from '#lib/shutdown.js';
import type { ServedSubgraph } from '#lib/subgraph/subgraph-server.js';
import { readSupergraphConfig } from '#tooling/supergraph.js';
import { serveNamedSubgraph } from '../subgraphs/index.js';
import { seedIfEmpty } from './seed/load.js';

/**
 * The subgraphs of `npm run dev`, in a process scripts/dev.ts restarts on
 * each schema change: a fresh process reads the new SDL from schema/ and the
 * resolvers' code as it is now. Serves every subgraph supergraph.yaml (argv[2])
 * names on its routing URL's port, and tells its parent once all listen.
 */
const env = loadEnv();
const logger = createLogger(env, 'subgraphs');
const configFile = process.argv[2] ?? 'supergraph.yaml';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const config = await readSupergraphConfig(configFile).catch((error: Error) => fail(error.message));
const unknown = config.subgraphs.filter(({ name }) => !(SUBGRAPHS as readonly string[]).includes(name));
if (unknown.length > 0) fail(`${configFile} names subgraphs Junction does not have: ${unknown.map(({ name }) => name).join(', ')}.`);
const routingUrl = (name: SubgraphName) => config.subgraphs.find((subgraph) => subgraph.name === name)?.routingUrl;

const database = await openDatabase(databaseOptions(env)).catch((error: Error) => fail(`Cannot open the database: ${error.message}`));
await migrateAll(database.db).catch(async (error: Error) => {
  await database.close();
  fail(`Cannot apply the migrations: ${error.message}`);
});
const seeded = await seedIfEmpty(database.db);
if (seeded) console.log(`Seeded ${seeded.users} users, ${seeded.products} products and ${seeded.reviews} reviews.`);

// Peers are called where the gateway routes to them.
const peers: Env = { ...env, ACCOUNTS_URL: routingUrl('accounts') ?? env.ACCOUNTS_URL, PRODUCTS_URL: routingUrl('products') ?? env.PRODUCTS_URL };
const served: ServedSubgraph[] = [];
try {
  for (const { name, routingUrl: url } of config.subgraphs) {
    const bound = await listen(createServer(), Number(new URL(url).port || 80), env.HOST);
    const deps = { db: database.db, env: peers, logger: logger.child({ component: name }) };
    served.push(await serveNamedSubgraph(name as SubgraphName, deps, bound));
  }
} catch (error) {
  for (const subgraph of served) await subgraph.stop();
  await database.close();
  fail(`Cannot start the subgraphs: ${(error as Error).message}`);
}
process.send?.({ type: 'junction:subgraphs-ready', subgraphs: config.subgraphs.map(({ name, routingUrl: url }) => ({ name, url })) });

stopOnSignals(
  async () => {
    await drainAndClose(served.map((subgraph) => ({ drain: subgraph.drain, close: subgraph.stop })), env);
    await database.close();
  },
  { logger, timeoutMs: shutdownTimeoutMs(env) },
);
// scripts/dev.ts asks for new migrations to be applied here, where the database is open, before it restarts us.
process.on('message', (message: { type?: string }) => {
  if (message?.type !== 'junction:migrate') return;
  migrateAll(database.db).then(
    (applied) => process.send?.({ type: 'junction:migrated', applied }),
    (error: Error) => process.send?.({ type: 'junction:migrate-failed', message: error.message }),
  );
});
// Parent gone (killed, not stopped): stop too rather than hold the ports.
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
