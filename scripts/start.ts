import { readFile } from 'node:fs/promises';
import { databaseOptions, openDatabase } from '#lib/db.js';
import { loadEnv } from '#lib/env.js';
import { createLogger } from '#lib/logger.js';
import { migrateAll } from '#lib/migrate.js';
import { shutdownTimeoutMs, stopOnSignals } from '#lib/shutdown.js';
import { startTelemetry } from '#lib/telemetry.js';
import { readSupergraphConfig } from '#tooling/supergraph.js';
import { readContractsConfig } from '#tooling/contracts.js';
import { parseContractClients } from '#gateway/supergraph/served-supergraphs.js';
import { seedIfEmpty } from './seed/load.js';
import { fail } from './command-line.js';
import { startStack } from './stack.js';

/**
 * npm start: the whole of Junction on one machine. Migrates and (when empty)
 * seeds the database, composes supergraph.yaml, starts the four subgraphs on
 * their routing URLs' ports and the gateway on PORT (default 4000).
 */
const env = loadEnv();
const logger = createLogger(env, 'junction');
// One process serves everything here, so one service name (junction-stack) covers the gateway and the subgraphs.
const telemetry = await startTelemetry(env, 'stack');

const config = await readSupergraphConfig('supergraph.yaml').catch((error: Error) => fail(error.message));
// Contracts are optional: without contracts.yaml, every client sees the full supergraph.
const { contracts } = await readContractsConfig('contracts.yaml', { optional: true }).catch((error: Error) => fail(error.message));
// The embedded database is this process's while it runs: it serves it to the other commands (lib/db-embedded.ts).
const database = await openDatabase({ ...databaseOptions(env), embedded: 'hold' }).catch((error: Error) =>
  fail(`Cannot open the database: ${error.message}`),
);
await migrateAll(database.db);
const seeded = await seedIfEmpty(database.db);
if (seeded) console.log(`Seeded ${seeded.users} users, ${seeded.products} products and ${seeded.reviews} reviews.`);

const stack = await startStack({
  db: database.db,
  env,
  logger,
  config,
  contracts,
  ports: 'routing',
  gatewayPort: env.PORT ?? 4000,
  ...(env.HOST ? { host: env.HOST } : {}),
}).catch(async (error: Error) => {
  await database.close();
  fail(`Cannot start Junction: ${error.message}`);
});

const committed = await readFile('supergraph.graphql', 'utf8').catch(() => '');
if (committed !== stack.supergraphSdl) {
  console.log('Note: supergraph.graphql differs from what supergraph.yaml composes to now; "npm run compose" updates it.');
}

// The gateway has checked CONTRACT_CLIENTS: every contract it names is served.
const contractClients = [...parseContractClients(env.CONTRACT_CLIENTS ?? [])];
const contractLines = contracts.map(({ name }) => {
  const clients = contractClients.filter(([, contract]) => contract === name).map(([client]) => client);
  return `\n  contract   ${name}, for ${clients.length > 0 ? clients.join(', ') : `no client yet (set CONTRACT_CLIENTS=<client>=${name})`}`;
});
console.log(`
Junction is running: ${stack.gatewayUrl}
  ${Object.entries(stack.subgraphs)
    .map(([name, subgraph]) => `${name.padEnd(10)} ${subgraph.url}`)
    .join('\n  ')}
  database   ${database.driver === 'pglite' ? `embedded, in ${database.location}` : database.location}${contractLines.join('')}
Press Ctrl-C to stop.`);

stopOnSignals(
  async () => {
    console.log('\nStopping Junction...');
    await stack.stop();
    await database.close();
    await telemetry.shutdown();
  },
  { timeoutMs: shutdownTimeoutMs(env) },
);
