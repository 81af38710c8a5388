import { readFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { printSchema as printApiSchema, Supergraph } from '@apollo/federation-internals';
import { ApolloGateway, LocalGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  defaultFieldResolver,
  execute,
  parse,
  printSchema,
  validate,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  authorizationPolicy,
  authorize,
  MAX_AUTHORIZATION_ERRORS,
  supergraphForGateway,
  type AuthorizationPolicy,
  type AuthorizationResult,
  type AuthorizedResponse,
  type Caller,
} from '../../gateway/src/authorization.js';

/**
 * @authenticated and @requiresScopes over a composed supergraph: each scenario
 * authorizes an operation, really executes what is left over in-memory data
 * (logging every field resolved, to prove what was never fetched), and checks
 * the exact response the client gets.
 */
const anonymous: Caller = { authenticated: false, scopes: [] };
const signedIn: Caller = { authenticated: true, scopes: [] };
const withScopes = (...scopes: string[]): Caller => ({ authenticated: true, scopes });

const dune = {
  __typename: 'Book',
  id: '1',
  title: 'Dune',
  price: 10,
  isbn: 'isbn-1',
  excerpt: ({ length }: { length: number }) => 'A beginning is a very delicate time.'.slice(0, length),
  code: 'C-1',
  tier: 'FREE',
  reviews: [
    { body: 'Great', stars: 5 },
    { body: 'Long', stars: 3 },
  ],
  author: { id: 'a1', name: 'Frank', email: 'frank@example.com' },
};
const emma = {
  __typename: 'Book',
  id: '2',
  title: 'Emma',
  price: 7,
  isbn: 'isbn-2',
  excerpt: () => 'Emma Woodhouse, handsome, clever, and rich',
  code: 'C-2',
  tier: 'PREMIUM',
  reviews: [{ body: 'Witty', stars: 4 }],
  author: { id: 'a2', name: 'Jane', email: 'jane@example.com' },
};
const leaflet = { __typename: 'Pamphlet', id: 'p1', title: 'Leaflet', price: 0 };
const draft = { __typename: 'Manuscript', id: 'm1', title: 'Untitled', draft: 'tbd' };

/** What the mutations did, to prove a denied one never ran. */
let added: string[] = [];
const rootValue = {
  books: [dune, emma],
  book: ({ id }: { id: string }) => [dune, emma].find((book) => book.id === id) ?? null,
  shelf: [dune, leaflet],
  search: [dune, draft],
  stats: { books: 2 },
  auditLog: ['boot'],
  ping: () => 'pong',
  addBook: ({ title }: { title: string }) => {
    added.push(title);
    return { ...emma, id: '3', title };
  },
};

type Outcome = { result: AuthorizationResult; response: AuthorizedResponse; fetched: string[] };

let policy: AuthorizationPolicy;
let supergraphSdl: string;

async function compose(...names: string[]): Promise<string> {
  const services = await Promise.all(
    names.map(async (name) => ({
      name,
      url: `http://${name}.invalid/graphql`,
      typeDefs: parse(await readFile(new URL(`../fixtures/authorization/${name}.graphql`, import.meta.url), 'utf8')),
    })),
  );
  const composed = composeServices(services);
  if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
  return composed.supergraphSdl;
}

beforeAll(async () => {
  supergraphSdl = await compose('catalog', 'people');
  policy = authorizationPolicy(supergraphSdl);
});

/** Authorize, execute what is left (unless denied), apply: the client's answer. */
async function run(
  query: string,
  caller: Caller,
  options: { variables?: Record<string, unknown>; operationName?: string; on?: AuthorizationPolicy; data?: object } = {},
): Promise<Outcome> {
  const schema = (options.on ?? policy).apiSchema;
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  const result = authorize(options.on ?? policy, document, options.operationName, caller);
  const fetched: string[] = [];
  if (result.kind === 'denied') return { result, response: result.result, fetched };

  const executed = result.kind === 'filtered' ? result.document : document;
  // The filtered operation is one graphql-js (and so the gateway) accepts as it is.
  expect(validate(schema, executed)).toEqual([]);
  const logging: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
    fetched.push(`${info.parentType.name}.${info.fieldName}`);
    return defaultFieldResolver(source, args, context, info);
  };
  const executionResult = await execute({
    schema,
    document: executed,
    rootValue: options.data ?? rootValue,
    variableValues: options.variables,
    operationName: options.operationName,
    fieldResolver: logging,
  });
  const formatted = JSON.parse(JSON.stringify(executionResult)) as {
    data?: Record<string, unknown> | null;
    errors?: GraphQLFormattedError[];
  };
  const response = result.kind === 'filtered' ? result.apply(formatted, options.variables) : formatted;
  return { result, response, fetched };
}

function unauthorized(code: 'UNAUTHENTICATED' | 'FORBIDDEN', ...paths: (string | number)[][]) {
  return paths.map((path) => ({ message: 'Unauthorized field or type', path, extensions: { code } }));
}

function textOf(result: AuthorizationResult): string {
  if (result.kind !== 'filtered') throw new Error(`expected a filtered operation, got ${result.kind}`);
  return result.text;
}

describe('the policy', () => {
  it('reads what each field requires from the directives, under the names the @links give them', async () => {
    const renamed = authorizationPolicy(await compose('renamed'));
    expect(Object.fromEntries(renamed.requirements.get('Note') ?? [])).toEqual({
      body: { authenticated: true, scopes: [] },
      owner: { authenticated: false, scopes: [[['read:owner']]] },
    });
    expect(policy.requirements.get('Book')?.get('isbn')).toEqual({ authenticated: false, scopes: [[['a', 'b'], ['c']]] });
    // A protected return type protects the field: scalar, enum, object.
    expect(policy.requirements.get('Book')?.get('code')).toEqual({ authenticated: true, scopes: [] });
    expect(policy.requirements.get('Book')?.get('tier')).toEqual({ authenticated: false, scopes: [[['tiers']]] });
    expect(policy.requirements.get('Manuscript')?.get('title')).toEqual({ authenticated: true, scopes: [] });
    // An interface field requires what any implementation requires.
    expect(policy.requirements.get('Item')?.get('price')).toEqual({ authenticated: true, scopes: [] });
    expect(policy.requirements.get('Item')?.get('title')).toBeUndefined();
  });

  it('serves the API schema, without the directives', () => {
    expect(printSchema(policy.apiSchema)).not.toMatch(/authenticated|requiresScopes|join__/);
  });

  it('requires nothing of a supergraph without the directives', () => {
    const composed = composeServices([
      {
        name: 'plain',
        url: 'http://plain.invalid/graphql',
        typeDefs: parse(`
          extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
          type Query { hello: String }
        `),
      },
    ]);
    if (composed.errors) throw composed.errors[0];
    const plain = authorizationPolicy(composed.supergraphSdl);
    expect(plain.requirements.size).toBe(0);
    expect(authorize(plain, parse('{ _unused: __typename }'), undefined, anonymous)).toEqual({ kind: 'allowed' });
  });
});

describe('operations that select nothing protected', () => {
  it('run as sent, for anyone', async () => {
    const outcome = await run('{ books { id title reviews { body } author { name } } }', anonymous);
    expect(outcome.result).toEqual({ kind: 'allowed' });
    expect(outcome.response).toEqual({
      data: {
        books: [
          { id: '1', title: 'Dune', reviews: [{ body: 'Great' }, { body: 'Long' }], author: { name: 'Frank' } },
          { id: '2', title: 'Emma', reviews: [{ body: 'Witty' }], author: { name: 'Jane' } },
        ],
      },
    });
  });

  it('run as sent when the caller meets every requirement', async () => {
    const outcome = await run('{ book(id: "1") { price isbn code tier } }', withScopes('c', 'tiers'));
    expect(outcome.result).toEqual({ kind: 'allowed' });
    expect(outcome.response).toEqual({ data: { book: { price: 10, isbn: 'isbn-1', code: 'C-1', tier: 'FREE' } } });
  });
});

describe('@authenticated on a field', () => {
  it('is never fetched for an anonymous caller, who gets null and an error at every position', async () => {
    const outcome = await run('{ books { title price } }', anonymous);
    expect(textOf(outcome.result)).not.toContain('price');
    expect(outcome.fetched).not.toContain('Book.price');
    expect(outcome.response).toEqual({
      data: {
        books: [
          { title: 'Dune', price: null },
          { title: 'Emma', price: null },
        ],
      },
      errors: unauthorized('UNAUTHENTICATED', ['books', 0, 'price'], ['books', 1, 'price']),
    });
    expect(outcome.result.kind === 'filtered' && outcome.result.errors.map((error) => error.toJSON())).toEqual(
      unauthorized('UNAUTHENTICATED', ['books', 'price']),
    );
  });

  it('is answered for a signed-in caller', async () => {
    const outcome = await run('{ books { title price } }', signedIn);
    expect(outcome.result.kind).toBe('allowed');
    expect(outcome.response).toEqual({
      data: {
        books: [
          { title: 'Dune', price: 10 },
          { title: 'Emma', price: 7 },
        ],
      },
    });
  });

  it('keeps the response keys the client chose (aliases)', async () => {
    const outcome = await run('{ first: book(id: "1") { name: title cost: price } }', anonymous);
    expect(outcome.response).toEqual({
      data: { first: { name: 'Dune', cost: null } },
      errors: unauthorized('UNAUTHENTICATED', ['first', 'cost']),
    });
  });

  it('keeps an emptied selection set valid, and the placeholder out of the response', async () => {
    const outcome = await run('{ book(id: "2") { price } }', anonymous);
    expect(textOf(outcome.result)).toContain('__junction_typename: __typename');
    expect(outcome.response).toEqual({
      data: { book: { price: null } },
      errors: unauthorized('UNAUTHENTICATED', ['book', 'price']),
    });
  });
});

describe('@requiresScopes', () => {
  const isbnOfDune = '{ book(id: "1") { title isbn } }';

  it('is any one of the inner lists, all of whose scopes the caller holds: (a AND b) OR c', async () => {
    for (const scopes of [['c'], ['a', 'b'], ['b', 'a', 'z']]) {
      const outcome = await run(isbnOfDune, withScopes(...scopes));
      expect(outcome.result.kind).toBe('allowed');
      expect(outcome.response).toEqual({ data: { book: { title: 'Dune', isbn: 'isbn-1' } } });
    }
  });

  it('nulls a non-null field up to the nearest nullable parent, FORBIDDEN for a caller lacking scopes', async () => {
    for (const caller of [signedIn, withScopes('a'), withScopes('b')]) {
      const outcome = await run(isbnOfDune, caller);
      expect(outcome.fetched).not.toContain('Book.isbn');
      expect(outcome.response).toEqual({ data: { book: null }, errors: unauthorized('FORBIDDEN', ['book', 'isbn']) });
    }
  });

  it('is UNAUTHENTICATED for an anonymous caller', async () => {
    const outcome = await run(isbnOfDune, anonymous);
    expect(outcome.response).toEqual({ data: { book: null }, errors: unauthorized('UNAUTHENTICATED', ['book', 'isbn']) });
  });

  it('nulls the whole data when null propagates through non-null lists to a non-null root field', async () => {
    const outcome = await run('{ books { title isbn } }', signedIn);
    expect(outcome.response).toEqual({ data: null, errors: unauthorized('FORBIDDEN', ['books', 0, 'isbn']) });
  });

  it('nulls each list element a non-null protected field sits in, with its index in the path', async () => {
    const outcome = await run('{ books { title reviews { body stars } } }', withScopes('other'));
    expect(outcome.fetched).not.toContain('Review.stars');
    expect(outcome.response).toEqual({
      data: {
        books: [
          { title: 'Dune', reviews: [null, null] },
          { title: 'Emma', reviews: [null] },
        ],
      },
      errors: unauthorized(
        'FORBIDDEN',
        ['books', 0, 'reviews', 0, 'stars'],
        ['books', 0, 'reviews', 1, 'stars'],
        ['books', 1, 'reviews', 0, 'stars'],
      ),
    });
  });

  it('protects fields of entities another subgraph resolves', async () => {
    const outcome = await run('{ books { author { name email } } }', signedIn);
    expect(outcome.fetched).not.toContain('Author.email');
    expect(outcome.response).toEqual({
      data: { books: [{ author: { name: 'Frank', email: null } }, { author: { name: 'Jane', email: null } }] },
      errors: unauthorized('FORBIDDEN', ['books', 0, 'author', 'email'], ['books', 1, 'author', 'email']),
    });
    const allowed = await run('{ books { author { email } } }', withScopes('read:email'));
    expect(allowed.response).toEqual({
      data: { books: [{ author: { email: 'frank@example.com' } }, { author: { email: 'jane@example.com' } }] },
    });
  });
});

describe('directives on types', () => {
  it('protect every field returning a protected scalar or enum', async () => {
    const anon = await run('{ book(id: "2") { title code tier } }', anonymous);
    expect(textOf(anon.result)).not.toMatch(/code|tier/);
    expect(anon.response).toEqual({
      data: { book: { title: 'Emma', code: null, tier: null } },
      errors: unauthorized('UNAUTHENTICATED', ['book', 'code'], ['book', 'tier']),
    });
    const signed = await run('{ book(id: "2") { title code tier } }', signedIn);
    expect(signed.response).toEqual({
      data: { book: { title: 'Emma', code: 'C-2', tier: null } },
      errors: unauthorized('FORBIDDEN', ['book', 'tier']),
    });
  });

  it('protect an object type reached through a union: its fragment is never fetched', async () => {
    const query = '{ search(term: "") { __typename ... on Book { title } ... on Manuscript { title draft } } }';
    const outcome = await run(query, anonymous);
    expect(textOf(outcome.result)).not.toMatch(/Manuscript|draft/);
    expect(outcome.fetched).not.toContain('Manuscript.draft');
    expect(outcome.fetched).not.toContain('Manuscript.title');
    // Manuscript.title is non-null, so the manuscript itself is null.
    expect(outcome.response).toEqual({
      data: { search: [{ __typename: 'Book', title: 'Dune' }, null] },
      errors: unauthorized('UNAUTHENTICATED', ['search', 1, 'title']),
    });
    const signed = await run(query, signedIn);
    expect(signed.result.kind).toBe('allowed');
    expect(signed.response).toEqual({
      data: {
        search: [
          { __typename: 'Book', title: 'Dune' },
          { __typename: 'Manuscript', title: 'Untitled', draft: 'tbd' },
        ],
      },
    });
  });

  it('protect the root fields returning them, with an exact answer and no execution when nothing is left', async () => {
    const outcome = await run('{ stats { books } }', anonymous);
    expect(outcome.result.kind).toBe('denied');
    expect(outcome.response).toEqual({ data: null, errors: unauthorized('UNAUTHENTICATED', ['stats']) });
  });
});

describe('interfaces', () => {
  it('answer an interface field only if every implementation allows it (which one answers is not known beforehand)', async () => {
    const outcome = await run('{ shelf { title price } }', anonymous);
    expect(outcome.fetched).not.toContain('Book.price');
    expect(outcome.fetched).not.toContain('Pamphlet.price');
    expect(outcome.response).toEqual({
      data: {
        shelf: [
          { title: 'Dune', price: null },
          { title: 'Leaflet', price: null },
        ],
      },
      errors: unauthorized('UNAUTHENTICATED', ['shelf', 0, 'price'], ['shelf', 1, 'price']),
    });
  });

  it('answer implementations the caller may see through inline fragments, by runtime type', async () => {
    const query = '{ shelf { title ... on Book { price } ... on Pamphlet { price } } }';
    const outcome = await run(query, anonymous);
    expect(outcome.fetched).toContain('Pamphlet.price');
    expect(outcome.fetched).not.toContain('Book.price');
    expect(outcome.response).toEqual({
      data: {
        shelf: [
          { title: 'Dune', price: null },
          { title: 'Leaflet', price: 0 },
        ],
      },
      errors: unauthorized('UNAUTHENTICATED', ['shelf', 0, 'price']),
    });
    const signed = await run(query, signedIn);
    expect(signed.response).toEqual({
      data: {
        shelf: [
          { title: 'Dune', price: 10 },
          { title: 'Leaflet', price: 0 },
        ],
      },
    });
  });

  it('keep a field also selected on an allowed implementation, and null only where it is missing', async () => {
    const outcome = await run('{ shelf { price ... on Pamphlet { price } } }', anonymous);
    expect(outcome.response).toEqual({
      data: { shelf: [{ price: null }, { price: 0 }] },
      errors: unauthorized('UNAUTHENTICATED', ['shelf', 0, 'price']),
    });
  });
});

describe('fragments', () => {
  it('filters a named fragment used twice, with errors at every place it is spread', async () => {
    const outcome = await run(
      `query Two { first: book(id: "1") { ...Parts } books { ...Parts } }
       fragment Parts on Book { title price }`,
      anonymous,
    );
    expect(textOf(outcome.result)).not.toContain('price');
    expect(outcome.response).toEqual({
      data: {
        first: { title: 'Dune', price: null },
        books: [
          { title: 'Dune', price: null },
          { title: 'Emma', price: null },
        ],
      },
      errors: unauthorized(
        'UNAUTHENTICATED',
        ['first', 'price'],
        ['books', 0, 'price'],
        ['books', 1, 'price'],
      ),
    });
  });

  it('drops a fragment left empty, its spreads, and sibling operations', async () => {
    const outcome = await run(
      `query Mine { book(id: "1") { title ...Secret ... on Book { ...Secret } } }
       query Other { books { ...Secret ...Unrelated } }
       fragment Secret on Book { price }
       fragment Unrelated on Book { title }`,
      anonymous,
      { operationName: 'Mine' },
    );
    const text = textOf(outcome.result);
    expect(text).not.toMatch(/Secret|Other|Unrelated|price/);
    expect(outcome.response).toEqual({
      data: { book: { title: 'Dune', price: null } },
      errors: unauthorized('UNAUTHENTICATED', ['book', 'price']),
    });
  });

  it('keeps nested fragments that still select something', async () => {
    const outcome = await run(
      `{ shelf { ...Shelved } }
       fragment Shelved on Item { title ...BookDetails }
       fragment BookDetails on Book { price reviews { body } }`,
      anonymous,
    );
    expect(textOf(outcome.result)).toContain('fragment BookDetails on Book');
    expect(outcome.response).toEqual({
      data: {
        shelf: [{ title: 'Dune', price: null, reviews: [{ body: 'Great' }, { body: 'Long' }] }, { title: 'Leaflet' }],
      },
      errors: unauthorized('UNAUTHENTICATED', ['shelf', 0, 'price']),
    });
  });
});

describe('variables', () => {
  it('drops a variable only a removed field used', async () => {
    const query = `query Excerpt($id: ID!, $length: Int!) { book(id: $id) { title excerpt(length: $length) } }`;
    const variables = { id: '1', length: 11 };
    const outcome = await run(query, signedIn, { variables });
    const text = textOf(outcome.result);
    expect(text).toContain('query Excerpt($id: ID!)');
    expect(text).not.toContain('$length');
    expect(outcome.response).toEqual({
      data: { book: { title: 'Dune', excerpt: null } },
      errors: unauthorized('FORBIDDEN', ['book', 'excerpt']),
    });
    const allowed = await run(query, withScopes('read:excerpts'), { variables });
    expect(allowed.response).toEqual({ data: { book: { title: 'Dune', excerpt: 'A beginning' } } });
  });

  it('honours @skip and @include on removed fields, given the variables', async () => {
    const query = 'query ($hide: Boolean!) { book(id: "1") { title price @skip(if: $hide) } }';
    const hidden = await run(query, anonymous, { variables: { hide: true } });
    expect(hidden.response).toEqual({ data: { book: { title: 'Dune' } } });
    const shown = await run(query, anonymous, { variables: { hide: false } });
    expect(shown.response).toEqual({
      data: { book: { title: 'Dune', price: null } },
      errors: unauthorized('UNAUTHENTICATED', ['book', 'price']),
    });
  });
});

describe('whole operations', () => {
  it('are not executed when every root field is unauthorized', async () => {
    const outcome = await run('{ auditLog stats { books } }', anonymous);
    expect(outcome.result.kind).toBe('denied');
    expect(outcome.fetched).toEqual([]);
    // stats is non-null: the whole data goes.
    expect(outcome.response).toEqual({ data: null, errors: unauthorized('UNAUTHENTICATED', ['auditLog'], ['stats']) });
    // Callers cache results: the shared answer cannot be changed by one request.
    expect(Object.isFrozen(outcome.response.errors?.[0])).toBe(true);
    const nullable = await run('{ log: auditLog }', signedIn);
    expect(nullable.response).toEqual({ data: { log: null }, errors: unauthorized('FORBIDDEN', ['log']) });
  });

  it('run the mutation fields the caller may run, and never the others', async () => {
    added = [];
    const denied = await run('mutation { addBook(title: "Persuasion") { id title } }', signedIn);
    expect(denied.result.kind).toBe('denied');
    expect(added).toEqual([]);
    expect(denied.response).toEqual({ data: null, errors: unauthorized('FORBIDDEN', ['addBook']) });

    const mixed = await run('mutation { ping addBook(title: "Persuasion") { id } }', signedIn);
    expect(textOf(mixed.result)).not.toContain('addBook');
    expect(added).toEqual([]);
    // addBook is non-null, so its null takes the whole data with it, as in execution.
    expect(mixed.response).toEqual({ data: null, errors: unauthorized('FORBIDDEN', ['addBook']) });

    const allowed = await run('mutation { addBook(title: "Persuasion") { id title } }', withScopes('write:books'));
    expect(allowed.result.kind).toBe('allowed');
    expect(added).toEqual(['Persuasion']);
    expect(allowed.response).toEqual({ data: { addBook: { id: '3', title: 'Persuasion' } } });
  });
});

describe('responses', () => {
  it('keep execution errors next to authorization errors', async () => {
    const data = { ...rootValue, books: [{ ...dune, reviews: [{ body: null, stars: 1 }] }] };
    const outcome = await run('{ books { price reviews { body } } }', anonymous, { data });
    expect(outcome.response).toEqual({
      data: { books: [{ price: null, reviews: [null] }] },
      errors: [
        {
          message: 'Cannot return null for non-nullable field Review.body.',
          locations: [{ line: 1, column: 27 }],
          path: ['books', 0, 'reviews', 0, 'body'],
        },
        ...unauthorized('UNAUTHENTICATED', ['books', 0, 'price']),
      ],
    });
  });

  it(`cap authorization errors at ${MAX_AUTHORIZATION_ERRORS} for huge lists, nulling every position still`, async () => {
    const books = Array.from({ length: 250 }, (_, index) => ({ ...dune, id: String(index) }));
    const outcome = await run('{ books { id price } }', anonymous, { data: { ...rootValue, books } });
    const answered = outcome.response.data?.books as { price: unknown }[];
    expect(answered).toHaveLength(250);
    expect(answered.every((book) => book.price === null)).toBe(true);
    expect(outcome.response.errors).toHaveLength(MAX_AUTHORIZATION_ERRORS);
  });
});

describe('renamed directives', () => {
  it('are enforced under the names the subgraph imported them as', async () => {
    const renamed = authorizationPolicy(await compose('renamed'));
    const data = { notes: [{ id: 'n1', title: 'Todo', body: 'milk', owner: 'ada' }] };
    const anon = await run('{ notes { title body owner } }', anonymous, { on: renamed, data });
    expect(anon.response).toEqual({
      data: { notes: [{ title: 'Todo', body: null, owner: null }] },
      errors: unauthorized('UNAUTHENTICATED', ['notes', 0, 'body'], ['notes', 0, 'owner']),
    });
    const owner = await run('{ notes { title body owner } }', withScopes('read:owner'), { on: renamed, data });
    expect(owner.response).toEqual({ data: { notes: [{ title: 'Todo', body: 'milk', owner: 'ada' }] } });
  });
});

describe('the supergraph the gateway loads', () => {
  it('is refused by @apollo/gateway as composed, and accepted once Junction enforces the directives', async () => {
    expect(() => Supergraph.build(supergraphSdl)).toThrow(/is for: SECURITY but is unsupported/);
    const accepted = supergraphForGateway(supergraphSdl);
    const apiOf = (sdl: string) => printApiSchema(Supergraph.build(sdl, { supportedFeatures: null }).apiSchema());
    expect(apiOf(accepted)).toBe(apiOf(supergraphSdl));
    const gateway = new ApolloGateway({ supergraphSdl: accepted, logger: silent });
    try {
      const { schema } = await gateway.load();
      expect(schema.getType('Manuscript')).toBeDefined();
    } finally {
      await gateway.stop();
    }
  });
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('through the real query planner and executor', () => {
  it('fetches nothing unauthorized from any subgraph and answers as execution would', async () => {
    const resolved: string[] = [];
    const logged = <T>(name: string, value: T): T => {
      resolved.push(name);
      return value;
    };
    const typeDefs = async (name: string) =>
      parse(await readFile(new URL(`../fixtures/authorization/${name}.graphql`, import.meta.url), 'utf8'));
    const catalog = buildSubgraphSchema({
      typeDefs: await typeDefs('catalog'),
      resolvers: {
        Query: { books: () => [dune, emma], search: () => [dune, draft] },
        Book: { price: (book: typeof dune) => logged('Book.price', book.price) },
        Manuscript: { draft: (manuscript: typeof draft) => logged('Manuscript.draft', manuscript.draft) },
        Review: { stars: (review: { stars: number }) => logged('Review.stars', review.stars) },
      },
    });
    const people = buildSubgraphSchema({
      typeDefs: await typeDefs('people'),
      resolvers: {
        Author: {
          __resolveReference: ({ id }: { id: string }) => [dune, emma].find((book) => book.author.id === id)?.author,
          email: (author: typeof dune.author) => logged('Author.email', author.email),
        },
      },
    });
    const gateway = new ApolloGateway({
      supergraphSdl: supergraphForGateway(supergraphSdl),
      buildService: ({ name }) => new LocalGraphQLDataSource(name === 'people' ? people : catalog),
      logger: silent,
    });
    const server = new ApolloServer({ gateway, logger: silent });
    await server.start();
    try {
      const query = `{
        books { title price reviews { stars } author { name email } }
        search(term: "") { ... on Manuscript { draft } }
      }`;
      const result = authorize(policy, parse(query), undefined, anonymous);
      if (result.kind !== 'filtered') throw new Error(`expected a filtered operation, got ${result.kind}`);
      const response = await server.executeOperation({ query: result.text });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      expect(resolved).toEqual([]);
      expect(result.apply(JSON.parse(JSON.stringify(response.body.singleResult)))).toEqual({
        data: {
          books: [
            { title: 'Dune', price: null, reviews: [null, null], author: { name: 'Frank', email: null } },
            { title: 'Emma', price: null, reviews: [null], author: { name: 'Jane', email: null } },
          ],
          search: [{}, { draft: null }],
        },
        errors: unauthorized(
          'UNAUTHENTICATED',
          ['books', 0, 'price'],
          ['books', 0, 'reviews', 0, 'stars'],
          ['books', 0, 'reviews', 1, 'stars'],
          ['books', 0, 'author', 'email'],
          ['books', 1, 'price'],
          ['books', 1, 'reviews', 0, 'stars'],
          ['books', 1, 'author', 'email'],
          ['search', 1, 'draft'],
        ),
      });
      // The same operation as sent does reach those resolvers: the check above is not vacuous.
      await server.executeOperation({ query });
      expect(new Set(resolved)).toEqual(new Set(['Book.price', 'Review.stars', 'Author.email', 'Manuscript.draft']));
    } finally {
      await server.stop();
    }
  });
});
