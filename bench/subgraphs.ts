/**
 * The benchmark's four subgraphs over fixed data (bench/data.ts), with the
 * SDL of schema/ and Apollo's buildSubgraphSchema, in one process. Each
 * distinct request body is executed once and its answer kept, so what the
 * gateways are measured against costs little more than HTTP.
 *
 * Run as a program it listens on free ports and prints one JSON line,
 * `{"accounts":"http://127.0.0.1:PORT/graphql",...}`, then serves until killed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { graphql, type GraphQLSchema } from 'graphql';
import { loadSubgraphSdl } from '#lib/subgraph/subgraph-server.js';
import {
  productByUpc,
  products,
  reviewById,
  reviewsOfProduct,
  reviewsOfUser,
  shippingEstimate,
  userById,
  users,
  type BenchReview,
} from './data.js';

type Name = 'accounts' | 'products' | 'inventory' | 'reviews';
type Args = Record<string, unknown>;

const me = userById.get('1')!;

const resolvers: Record<Name, GraphQLResolverMap<unknown>> = {
  accounts: {
    Query: {
      me: () => me,
      user: (_: unknown, { id }: Args) => userById.get(String(id)) ?? null,
      users: (_: unknown, { first }: Args) => users.slice(0, Number(first)),
    },
    User: { __resolveReference: ({ id }: { id: string }) => userById.get(id) ?? null },
  },
  products: {
    Query: {
      topProducts: (_: unknown, { first }: Args) => products.slice(0, Number(first)),
      product: (_: unknown, { upc }: Args) => productByUpc.get(String(upc)) ?? null,
    },
    Product: { __resolveReference: ({ upc }: { upc: string }) => productByUpc.get(upc) ?? null },
  },
  inventory: {
    Product: {
      __resolveReference: (reference: { upc: string; price?: number; weight?: number }) => {
        const product = productByUpc.get(reference.upc);
        return product ? { ...product, ...reference } : null;
      },
      shippingEstimate: ({ price, weight }: { price: number; weight: number }) => shippingEstimate(price, weight),
    },
  },
  reviews: {
    Query: { review: (_: unknown, { id }: Args) => reviewById.get(String(id)) ?? null },
    Review: {
      __resolveReference: ({ id }: { id: string }) => reviewById.get(id) ?? null,
      author: (review: BenchReview) => ({ id: review.authorId, username: userById.get(review.authorId)!.username }),
      product: (review: BenchReview) => ({ upc: review.upc }),
    },
    User: { reviews: ({ id }: { id: string }, { first }: Args) => reviewsOfUser(id).slice(0, Number(first)) },
    Product: { reviews: ({ upc }: { upc: string }, { first }: Args) => reviewsOfProduct(upc).slice(0, Number(first)) },
  },
};

export type BenchSubgraphs = {
  urls: Record<Name, string>;
  close(): Promise<void>;
};

/** A fixed-data subgraph that executes each distinct body once. */
function serve(schema: GraphQLSchema): Server {
  const answers = new Map<string, Promise<Buffer>>();
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString();
      let answer = answers.get(body);
      if (!answer) {
        answer = execute(schema, body);
        // The gateways send a handful of distinct bodies; anything else is not the benchmark.
        if (answers.size < 10_000) answers.set(body, answer);
      }
      const bytes = await answer;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
      res.end(bytes);
    });
  });
}

async function execute(schema: GraphQLSchema, body: string): Promise<Buffer> {
  try {
    const { query, variables, operationName } = JSON.parse(body) as { query: string; variables?: Args; operationName?: string };
    const result = await graphql({ schema, source: query, variableValues: variables ?? null, operationName: operationName ?? null });
    return Buffer.from(JSON.stringify(result));
  } catch (error) {
    return Buffer.from(JSON.stringify({ errors: [{ message: (error as Error).message }] }));
  }
}

export async function startBenchSubgraphs(host = '127.0.0.1'): Promise<BenchSubgraphs> {
  const servers: Server[] = [];
  const urls = {} as Record<Name, string>;
  for (const name of Object.keys(resolvers) as Name[]) {
    const schema = buildSubgraphSchema([{ typeDefs: loadSubgraphSdl(name), resolvers: resolvers[name] }]);
    const server = serve(schema);
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    servers.push(server);
    urls[name] = `http://${host}:${(server.address() as AddressInfo).port}/graphql`;
  }
  return {
    urls,
    close: async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const subgraphs = await startBenchSubgraphs();
  process.stdout.write(`${JSON.stringify(subgraphs.urls)}\n`);
}
