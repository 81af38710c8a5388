import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLFormattedError } from 'graphql';
import type { SubgraphDefinition } from './shape.js';
import { hostedShapes, pathOf } from './shapes/hosted.js';

/**
 * The conformance suite's subgraphs, in a process of their own: every
 * subgraph of the shapes named on the command line (and of their variants),
 * each a stock Apollo Server over buildSubgraphSchema, on one port (PORT) at
 * `/<shape>/<subgraph>`. `POST /reset/<shape>` puts a shape's data back.
 *
 *   PORT=4100 node --import tsx test/conformance/subgraph-host.ts books shop
 */
const names = process.argv.slice(2);
const servers = new Map<string, ApolloServer<BaseContext>>();

async function serve(path: string, { sdl, resolvers, bareErrors }: SubgraphDefinition): Promise<void> {
  const server = new ApolloServer<BaseContext>({
    schema: buildSubgraphSchema({ typeDefs: parse(sdl), resolvers }),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    // The suite stops the host with SIGTERM; dozens of servers would each listen for it.
    stopOnTerminationSignals: false,
    ...(bareErrors ? { formatError: ({ message, locations, path }: GraphQLFormattedError) => ({ message, locations, path }) } : {}),
  });
  await server.start();
  servers.set(path, server);
}

for (const name of names) {
  const shape = hostedShapes[name];
  if (!shape) throw new Error(`No shape named ${name}; there are ${Object.keys(hostedShapes).join(', ')}.`);
  for (const subgraph of shape.subgraphs) await serve(pathOf(shape, subgraph.name), subgraph);
  for (const [variant, subgraphs] of Object.entries(shape.variants ?? {})) {
    for (const subgraph of subgraphs) await serve(pathOf(shape, subgraph.name, variant), subgraph);
  }
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://host');
  const text = await body(req);
  if (url.pathname.startsWith('/reset/')) {
    hostedShapes[url.pathname.slice('/reset/'.length)]?.reset?.();
    res.writeHead(204).end();
    return;
  }
  const server = servers.get(url.pathname);
  if (!server) {
    res.writeHead(404).end();
    return;
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(key, value);
  const answer = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'POST', headers, search: url.search, body: text ? (JSON.parse(text) as unknown) : undefined },
    context: async () => ({}),
  });
  res.statusCode = answer.status ?? 200;
  for (const [key, value] of answer.headers) res.setHeader(key, value);
  if (answer.body.kind === 'complete') {
    res.end(answer.body.string);
    return;
  }
  for await (const chunk of answer.body.asyncIterator) res.write(chunk);
  res.end();
}

const http = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    console.error(error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
http.keepAliveTimeout = 30_000;
http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = http.address();
  console.log(`subgraph host listening on port ${typeof address === 'object' && address ? address.port : '?'}`);
});
