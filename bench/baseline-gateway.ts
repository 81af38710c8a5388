/**
 * The baseline: stock @apollo/gateway with its defaults (its own fetcher,
 * plan cache and executor) in @apollo/server's standalone server, as its
 * documentation starts it. Same package versions as Junction.
 *
 * Usage: node --import tsx bench/baseline-gateway.ts SUPERGRAPH_FILE PORT
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const [file, port] = process.argv.slice(2);
if (!file || !port) throw new Error('Usage: baseline-gateway.ts SUPERGRAPH_FILE PORT');

const gateway = new ApolloGateway({ supergraphSdl: readFileSync(file, 'utf8') });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: Number(port), host: '127.0.0.1' } });
process.stdout.write(`baseline ready at ${url}\n`);
