import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#lib/logger.js';
import type { GatewayContext, SubgraphExchange, SubgraphFetchRequest, SubgraphResponse, SubgraphTransport } from '#gateway/fetch/transport.js';
import { refusal, type Stage } from '#gateway/pipeline/stage.js';
import { createGateway, type Gateway } from '#gateway/server.js';
import { testEnv } from '../support/stack.js';

/**
 * The two seams hold: a stage and a transport written here, in test code,
 * against pipeline/stage.ts and fetch/transport.ts alone, plugged into a real
 * gateway (real composition, real HTTP) through the composition root's
 * options, and nothing else of the gateway changed or imported.
 */

// --- a transport: subgraphs served in this process, no HTTP -----------------

/** Runs each fetch against an in-process subgraph schema, and keeps what it was sent. */
class InProcessTransport implements SubgraphTransport {
  readonly sent: { request: SubgraphFetchRequest; context: GatewayContext | undefined }[] = [];

  constructor(
    readonly name: string,
    private readonly schema: GraphQLSchema,
  ) {}

  async fetch(request: SubgraphFetchRequest, context: GatewayContext | undefined, exchange?: SubgraphExchange): Promise<SubgraphResponse> {
    this.sent.push({ request, context });
    const result = await execute({ schema: this.schema, document: parse(request.query), variableValues: request.variables });
    exchange?.answered(200, 1);
    return JSON.parse(JSON.stringify(result)) as SubgraphResponse;
  }

  close(): void {}
}

const books = [
  { id: '1', title: 'Dune' },
  { id: '2', title: 'A secret history' },
];
const copies: Record<string, number> = { '1': 3, '2': 0 };

const catalog = {
  name: 'catalog',
  url: 'memory://catalog',
  typeDefs: parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query {
      books: [Book!]!
    }
    type Mutation {
      addBook(title: String!): Book!
    }
    type Book @key(fields: "id") {
      id: ID!
      title: String!
    }
  `),
  resolvers: {
    Query: { books: () => books },
    Mutation: { addBook: (_: unknown, { title }: { title: string }) => ({ id: String(books.length + 1), title }) },
    Book: { __resolveReference: ({ id }: { id: string }) => books.find((book) => book.id === id) },
  },
};
const stock = {
  name: 'stock',
  url: 'memory://stock',
  typeDefs: parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Book @key(fields: "id") {
      id: ID!
      copies: Int!
    }
  `),
  resolvers: { Book: { __resolveReference: ({ id }: { id: string }) => ({ id, copies: copies[id] }) } },
};

// --- a stage: a policy of a team's own -------------------------------------

/**
 * Every request must name its tenant (before the body is read); mutations are
 * refused (per operation, as Apollo Router's forbid_mutations plugin does);
 * and titles with "secret" in them are blanked in the answer.
 */
const tenantPolicy: Stage = {
  name: 'tenant-policy',
  onRequest({ req }) {
    if (!req.headers['x-tenant']) return refusal(400, 'TENANT_REQUIRED', 'Name your tenant in x-tenant.');
    return undefined;
  },
  onOperation({ operation }) {
    if (operation?.operation === 'mutation') return refusal(403, 'MUTATIONS_FORBIDDEN', 'This gateway serves no mutations.');
    return undefined;
  },
  onAnswer(_operation, answer) {
    const data = answer.data as { books?: { title?: string }[] } | null | undefined;
    if (!data?.books?.some((book) => book.title?.includes('secret'))) return undefined;
    const books = data.books.map((book) => (book.title?.includes('secret') ? { ...book, title: '(withheld)' } : book));
    return { data: { ...data, books }, ...(answer.errors ? { errors: answer.errors } : {}) };
  },
};

// --- a real gateway with both ----------------------------------------------

const transports = new Map<string, InProcessTransport>();
let gateway: Gateway;
let url: string;

beforeAll(async () => {
  const composed = composeServices([catalog, stock].map(({ name, url, typeDefs }) => ({ name, url, typeDefs })));
  if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
  for (const subgraph of [catalog, stock]) {
    transports.set(subgraph.name, new InProcessTransport(subgraph.name, buildSubgraphSchema({ typeDefs: subgraph.typeDefs, resolvers: subgraph.resolvers as never })));
  }
  const env = testEnv({ RATE_LIMIT: 'false' });
  gateway = await createGateway({
    supergraphSdl: composed.supergraphSdl,
    env,
    logger: createLogger(env, 'test'),
    stages: (standard) => [...standard, tenantPolicy],
    transport: ({ name }) => transports.get(name)!,
  });
  await new Promise<void>((resolve) => gateway.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise((resolve) => gateway?.server.close(resolve));
  await gateway?.stop();
});

async function post(query: string, headers: Record<string, string> = { 'x-tenant': 'acme' }) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as Record<string, unknown> };
}

describe('a transport written against fetch/transport.ts', () => {
  it('carries every fetch of a federated plan, root and entities, with the request it belongs to', async () => {
    const before = transports.get('stock')!.sent.length;
    const answer = await post('{ books { title copies } }');
    expect(answer).toMatchObject({ status: 200, body: { data: { books: [{ title: 'Dune', copies: 3 }, { title: '(withheld)', copies: 0 }] } } });
    const entityFetches = transports.get('stock')!.sent.slice(before);
    expect(entityFetches).toHaveLength(1);
    expect(entityFetches[0]!.request.query).toContain('_entities');
    expect(entityFetches[0]!.request.variables).toEqual({ representations: [{ __typename: 'Book', id: '1' }, { __typename: 'Book', id: '2' }] });
    expect(entityFetches[0]!.context?.requestId).toBe(answer.requestId);
  });
});

describe('a stage written against pipeline/stage.ts', () => {
  it('refuses before the body is read, in the one refusal shape, with the request id', async () => {
    const answer = await post('{ books { title } }', {});
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ errors: [{ message: 'Name your tenant in x-tenant.', extensions: { code: 'TENANT_REQUIRED', requestId: answer.requestId } }] });
  });

  it('refuses an operation after the standard stages parsed it, and no subgraph is asked', async () => {
    const before = transports.get('catalog')!.sent.length;
    const answer = await post('mutation { addBook(title: "Emma") { id } }');
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ errors: [{ message: 'This gateway serves no mutations.', extensions: { code: 'MUTATIONS_FORBIDDEN', requestId: answer.requestId } }] });
    expect(transports.get('catalog')!.sent.length).toBe(before);
  });

  it('runs where the list puts it: after the stage that parses, whose refusals come first', async () => {
    const answer = await post('mutation { addBook(title: "Emma") { id }');
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ errors: [{ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
  });

  it('shapes the answer only when it must: otherwise the executor’s text goes out as written', async () => {
    const answer = await post('{ books { id } }');
    expect(answer).toMatchObject({ status: 200, body: { data: { books: [{ id: '1' }, { id: '2' }] } } });
  });
});
