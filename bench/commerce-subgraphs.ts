/**
 * The subscription benchmark's subgraphs: the real commerce subgraphs (their
 * resolvers, their database, reviewAdded over graphql-ws fed by LISTEN/NOTIFY),
 * not bench/subgraphs.ts's fixed data, since an event has to travel from a
 * mutation through the database to the subscribers. Serves the four on free
 * ports over DATABASE_URL (a database the harness made for this run) or,
 * without it, an embedded database in this process's memory, migrated and
 * seeded with a catalogue of `--products` products.
 *
 * Prints one JSON line, `{"accounts":"http://127.0.0.1:PORT/graphql",...}`,
 * then serves until killed.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { openDatabase } from '#lib/db.js';
import { loadEnv, type Env } from '#lib/env.js';
import { listen } from '#lib/http.js';
import { createLogger } from '#lib/logger.js';
import { migrateAll, SUBGRAPHS } from '#lib/migrate.js';
import type { ServedSubgraph } from '#lib/subgraph/subgraph-server.js';
import { loadWorld } from '../scripts/seed/load.js';
import { generateWorld } from '../scripts/seed/world.js';
import { serveNamedSubgraph } from '../subgraphs/index.js';

const { values } = parseArgs({ options: { products: { type: 'string', default: '1000' } } });
const env = loadEnv();
const logger = createLogger(env, 'bench-subgraphs');
const database = await openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL, poolMax: 10 } : {});
await migrateAll(database.db);
// Few reviews: the benchmark writes its own; the products are what distinct subscriptions spread over.
await loadWorld(database.db, generateWorld({ users: 50, products: Number(values.products), reviews: 200 }));

const bound = await Promise.all(SUBGRAPHS.map(() => listen(createServer(), 0, '127.0.0.1')));
const urls = Object.fromEntries(SUBGRAPHS.map((name, index) => [name, `http://127.0.0.1:${bound[index]!.port}/graphql`]));
const peers: Env = { ...env, ACCOUNTS_URL: urls.accounts!, PRODUCTS_URL: urls.products! };
const served: ServedSubgraph[] = await Promise.all(
  SUBGRAPHS.map((name, index) => serveNamedSubgraph(name, { db: database.db, env: peers, logger: logger.child({ component: name }) }, bound[index]!)),
);
process.stdout.write(`${JSON.stringify(urls)}\n`);

const stop = async () => {
  for (const subgraph of served) await subgraph.stop();
  await database.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
