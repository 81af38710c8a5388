import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from '../support/graphql.js';
import { run, type Running } from '../support/processes.js';

/**
 * `junction gateway` is generic: here it serves a supergraph that has nothing
 * to do with Junction's own, a library of books and authors, in one process.
 */
const seen: { subgraph: string; headers: IncomingHttpHeaders }[] = [];

const books = [
  { isbn: '9780141439518', title: 'Pride and Prejudice', authorId: 'austen' },
  { isbn: '9780141439662', title: 'Sense and Sensibility', authorId: 'austen' },
  { isbn: '9780486282114', title: 'Frankenstein', authorId: 'shelley' },
];
const authors = [
  { id: 'austen', name: 'Jane Austen' },
  { id: 'shelley', name: 'Mary Shelley' },
];

const subgraphs = {
  catalog: {
    typeDefs: parse(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
      type Book @key(fields: "isbn") { isbn: ID! title: String! author: Author! }
      type Author @key(fields: "id", resolvable: false) { id: ID! }
      type Query { books: [Book!]! }
    `),
    resolvers: {
      Query: { books: () => books },
      Book: { author: (book: (typeof books)[number]) => ({ id: book.authorId }) },
    },
  },
  people: {
    typeDefs: parse(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
      type Author @key(fields: "id") { id: ID! name: String! }
    `),
    resolvers: {
      Author: { __resolveReference: (ref: { id: string }) => authors.find((a) => a.id === ref.id) },
    },
  },
};

const servers: ApolloServer[] = [];
let dir: string;
let gateway: Running;
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'junction-cli-'));
  const services = [];
  for (const [name, module] of Object.entries(subgraphs)) {
    const server = new ApolloServer({ schema: buildSubgraphSchema(module) });
    servers.push(server);
    const { url: subgraphUrl } = await startStandaloneServer(server, {
      listen: { port: 0 },
      context: async ({ req }) => {
        seen.push({ subgraph: name, headers: req.headers });
        return {};
      },
    });
    services.push({ name, url: subgraphUrl, typeDefs: module.typeDefs });
  }
  const composed = composeServices(services);
  if (!composed.supergraphSdl) throw new Error(String(composed.errors));
  await writeFile(join(dir, 'library.graphql'), composed.supergraphSdl);

  gateway = run('node', ['bin/junction.js', 'gateway', '--supergraph', join(dir, 'library.graphql'), '--port', '0'], {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
  });
  const [, ready] = await gateway.waitFor(/"url":"([^"]+)".*"gateway ready"/);
  url = ready!;
});

afterAll(async () => {
  gateway?.interrupt();
  await gateway?.exited;
  for (const server of servers) await server.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('junction gateway over a supergraph that is not ours', () => {
  it('plans and executes across its subgraphs', async () => {
    const result = await post(url, '{ books { title author { name } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      books: [
        { title: 'Pride and Prejudice', author: { name: 'Jane Austen' } },
        { title: 'Sense and Sensibility', author: { name: 'Jane Austen' } },
        { title: 'Frankenstein', author: { name: 'Mary Shelley' } },
      ],
    });
  });

  it('forwards Authorization and the request id to every subgraph it calls', async () => {
    seen.length = 0;
    const result = await post(url, '{ books { author { name } } }', {}, {
      authorization: 'Bearer partner-token',
      'x-request-id': 'req-42',
      cookie: 'session=secret',
    });
    expect(result.headers.get('x-request-id')).toBe('req-42');
    expect(seen.map((request) => request.subgraph).sort()).toEqual(['catalog', 'people']);
    for (const { headers } of seen) {
      expect(headers.authorization).toBe('Bearer partner-token');
      expect(headers['x-request-id']).toBe('req-42');
      // Only what subgraphs need is passed on.
      expect(headers.cookie).toBeUndefined();
    }
  });

  it('answers GET requests that prove they are not cross-site', async () => {
    const query = encodeURIComponent('{ books { isbn } }');
    const allowed = await fetch(`${url}?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ data: { books: books.map(({ isbn }) => ({ isbn })) } });
    // A bare GET, as a cross-site <img> or link would send, is not executed.
    const bare = await fetch(`${url}?query=${query}`);
    expect(bare.status).toBe(400);
  });

  it('can be introspected by IDEs', async () => {
    const result = await post<{ __schema: { queryType: { fields: { name: string }[] } } }>(
      url,
      '{ __schema { queryType { fields { name } } } }',
    );
    expect(result.data!.__schema.queryType.fields.map((field) => field.name)).toEqual(['books']);
  });

  it('answers /health once the supergraph is loaded', async () => {
    const response = await fetch(new URL('/health', url));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('gives a browser GraphiQL, every asset served by the gateway itself', async () => {
    const page = await fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    const assets = references.filter((reference) => !reference.startsWith('data:'));
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset).toMatch(/^\/ide\//);
      const response = await fetch(new URL(asset, url));
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });

  it('answers unknown paths with a GraphQL-shaped 404', async () => {
    const response = await fetch(new URL('/nope', url));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
  });
});

describe('junction gateway refuses to start without a usable supergraph', () => {
  it.each([
    [['gateway'], 2, /--supergraph is required/],
    [['gateway', '--supergraph', '/nonexistent/supergraph.graphql'], 1, /Cannot read the supergraph .*: no such file/],
    [['gateway', '--supergraph', 'package.json'], 1, /Cannot serve the supergraph package.json/],
    [['gateway', '--supergraph', 'supergraph.graphql', '--port', 'eighty'], 2, /--port must be a port number/],
  ])('junction %j exits %i', async (args, code, message) => {
    const junction = run('node', ['bin/junction.js', ...args], { LOG_LEVEL: 'silent' });
    expect(await junction.exited).toBe(code);
    expect(junction.output()).toMatch(message);
    expect(junction.output()).not.toMatch(/\n\s+at /);
  });

  it('is on the PATH of the project as `npx junction`', async () => {
    const junction = run('npx', ['junction', 'gateway', '--help'], {});
    expect(await junction.exited).toBe(0);
    expect(junction.output()).toMatch(/Usage: junction gateway --supergraph FILE/);
  });
});
