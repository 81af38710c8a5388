import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';

/**
 * A supergraph that has nothing to do with Junction's own, to show
 * `junction gateway` serves any: a library of books (catalog) and authors
 * (people), both stock @apollo/subgraph servers, and a `shelf` subgraph that
 * is a bare HTTP server misbehaving on demand, for fault and masking tests.
 */
export const books = [
  { isbn: '9780141439518', title: 'Pride and Prejudice', authorId: 'austen' },
  { isbn: '9780141439662', title: 'Sense and Sensibility', authorId: 'austen' },
  { isbn: '9780486282114', title: 'Frankenstein', authorId: 'shelley' },
];
/** ISBNs the borrow mutation ran for: proof of whether a mutation executed. */
export const borrowed: string[] = [];
export const authors = [
  { id: 'austen', name: 'Jane Austen' },
  { id: 'shelley', name: 'Mary Shelley' },
];

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

/** The catalog and people subgraphs as definitions, for serving them elsewhere too (test/conformance/). */
export const stockSubgraphs = {
  catalog: {
    typeDefs: parse(`${LINK}
      type Book @key(fields: "isbn") { isbn: ID! title: String! author: Author! }
      type Author @key(fields: "id", resolvable: false) { id: ID! }
      type Query { books: [Book!]! book(isbn: ID!): Book }
      type Mutation { borrow(isbn: ID!): Book }
    `),
    resolvers: {
      Query: {
        books: () => books,
        book: (_: unknown, { isbn }: { isbn: string }) => books.find((book) => book.isbn === isbn) ?? null,
      },
      Mutation: {
        borrow: (_: unknown, { isbn }: { isbn: string }) => {
          borrowed.push(isbn);
          return books.find((book) => book.isbn === isbn) ?? null;
        },
      },
      Book: { author: (book: (typeof books)[number]) => ({ id: book.authorId }) },
    },
  },
  people: {
    typeDefs: parse(`${LINK}
      type Author @key(fields: "id") { id: ID! name: String! }
    `),
    resolvers: {
      Author: { __resolveReference: (ref: { id: string }) => authors.find((author) => author.id === ref.id) },
    },
  },
};

const shelfTypeDefs = parse(`${LINK}
  type Book @key(fields: "isbn") { isbn: ID! shelf: String }
`);

/** How the shelf subgraph answers its next requests. */
export type ShelfMode =
  | 'ok'
  /** A GraphQL error full of internals: SQL, an internal address, a stack trace. */
  | 'leaky'
  /** A proxy's HTML error page, status 502. */
  | 'html'
  /** 200 with a body that is not JSON. */
  | 'garbage'
  /** Answers after `slowMs`. */
  | 'slow'
  /** Answers once the test calls `shelf.release()`. */
  | 'held'
  /** A valid answer padded past any sane size. */
  | 'huge'
  /** Drops the connection without answering. */
  | 'reset';

export const LEAKED_SECRETS = ['select isbn', 'shelves', '10.20.30.40', 'ShelfRepository', '/srv/shelf'];

export type Library = {
  supergraphSdl: string;
  /** The supergraph of only some of the library's subgraphs, e.g. without the shelf (hot reload tests). */
  compose(subgraphs: ('catalog' | 'people' | 'shelf')[]): string;
  /** Every request a subgraph received, with its headers. */
  seen: { subgraph: string; headers: IncomingHttpHeaders }[];
  shelf: {
    mode: ShelfMode;
    slowMs: number;
    requests: number;
    url: string;
    /** Answers every request the shelf holds ('held'). */
    release(): void;
  };
  stop(): Promise<void>;
};

function shelfAnswer(body: string): string {
  const request = JSON.parse(body) as { variables?: { representations?: { isbn: string }[] } };
  const representations = request.variables?.representations ?? [];
  return JSON.stringify({
    data: { _entities: representations.map(({ isbn }) => ({ __typename: 'Book', shelf: `S-${isbn.slice(-3)}` })) },
  });
}

function startShelf(library: Library['shelf'], seen: Library['seen']): Promise<Server> {
  const held: (() => void)[] = [];
  library.release = () => {
    for (const answer of held.splice(0)) answer();
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      library.requests += 1;
      seen.push({ subgraph: 'shelf', headers: req.headers });
      const body = Buffer.concat(chunks).toString('utf8');
      const json = { 'content-type': 'application/json' };
      switch (library.mode) {
        case 'ok':
          return res.writeHead(200, json).end(shelfAnswer(body));
        case 'leaky':
          return res.writeHead(200, json).end(
            JSON.stringify({
              data: { _entities: [null] },
              errors: [
                {
                  message: 'select isbn, shelf from shelves where isbn = $1: connection to 10.20.30.40:5432 refused',
                  extensions: {
                    code: 'INTERNAL_SERVER_ERROR',
                    stacktrace: ['Error: boom', '    at ShelfRepository.find (/srv/shelf/repository.js:42:7)'],
                  },
                },
              ],
            }),
          );
        case 'html':
          return res
            .writeHead(502, { 'content-type': 'text/html' })
            .end('<html><body><h1>502 Bad Gateway</h1><p>nginx at 10.20.30.40</p></body></html>');
        case 'garbage':
          return res.writeHead(200, json).end('{"data": {"_entities": [ not json');
        case 'slow':
          return void setTimeout(() => res.writeHead(200, json).end(shelfAnswer(body)), library.slowMs);
        case 'held':
          return void held.push(() => res.writeHead(200, json).end(shelfAnswer(body)));
        case 'huge':
          return res.writeHead(200, json).end(`{"padding":"${'x'.repeat(64 * 1024 * 1024)}"}`);
        case 'reset':
          return req.socket.destroy();
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function startLibrary(): Promise<Library> {
  const seen: Library['seen'] = [];
  const servers: ApolloServer[] = [];
  const services: { name: string; url: string; typeDefs: DocumentNode }[] = [];
  for (const [name, module] of Object.entries(stockSubgraphs)) {
    const server = new ApolloServer({
      schema: buildSubgraphSchema(module),
      plugins: [ApolloServerPluginInlineTraceDisabled()],
    });
    servers.push(server);
    const { url } = await startStandaloneServer(server, {
      listen: { port: 0, host: '127.0.0.1' },
      context: async ({ req }) => {
        seen.push({ subgraph: name, headers: req.headers });
        return {};
      },
    });
    services.push({ name, url, typeDefs: module.typeDefs });
  }
  const shelf: Library['shelf'] = { mode: 'ok', slowMs: 0, requests: 0, url: '', release: () => {} };
  const shelfServer = await startShelf(shelf, seen);
  shelf.url = `http://127.0.0.1:${(shelfServer.address() as AddressInfo).port}/graphql`;
  services.push({ name: 'shelf', url: shelf.url, typeDefs: shelfTypeDefs });

  const compose = (names: string[]) => {
    const composed = composeServices(services.filter((service) => names.includes(service.name)));
    if (!composed.supergraphSdl) throw new Error(String(composed.errors));
    return composed.supergraphSdl;
  };
  return {
    supergraphSdl: compose(services.map((service) => service.name)),
    compose,
    seen,
    shelf,
    async stop() {
      for (const server of servers) await server.stop();
      shelfServer.closeAllConnections();
      await new Promise((resolve) => shelfServer.close(resolve));
    },
  };
}
