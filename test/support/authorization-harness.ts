import { readFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { defaultFieldResolver, execute, parse, validate, type GraphQLFieldResolver, type GraphQLFormattedError } from 'graphql';
import { expect } from 'vitest';
import {
  authorizationPolicy,
  authorize,
  type AuthorizationPolicy,
  type AuthorizationResult,
  type AuthorizedResponse,
  type Caller,
} from '#gateway/stages/authorization/authorization.js';

/**
 * What the authorization scenarios share: callers, in-memory books, the
 * supergraph composed from test/fixtures/authorization, and `run`, which
 * authorizes an operation, really executes what is left over that data
 * (logging every field resolved, to prove what was never fetched), and
 * returns the exact response the client gets.
 */
export const anonymous: Caller = { authenticated: false, scopes: [] };
export const signedIn: Caller = { authenticated: true, scopes: [] };
export const withScopes = (...scopes: string[]): Caller => ({ authenticated: true, scopes });

export const dune = {
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
export const emma = {
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
export const leaflet = { __typename: 'Pamphlet', id: 'p1', title: 'Leaflet', price: 0 };
export const draft = { __typename: 'Manuscript', id: 'm1', title: 'Untitled', draft: 'tbd' };

/** Told every title addBook adds, so a scenario can prove a denied mutation never ran. */
let recordAddedBook: (title: string) => void = () => {};
export function onAddBook(record: (title: string) => void): void {
  recordAddedBook = record;
}

export const rootValue = {
  books: [dune, emma],
  book: ({ id }: { id: string }) => [dune, emma].find((book) => book.id === id) ?? null,
  shelf: [dune, leaflet],
  search: [dune, draft],
  stats: { books: 2 },
  auditLog: ['boot'],
  ping: () => 'pong',
  addBook: ({ title }: { title: string }) => {
    recordAddedBook(title);
    return { ...emma, id: '3', title };
  },
};

type Outcome = { result: AuthorizationResult; response: AuthorizedResponse; fetched: string[] };

/** The supergraph of test/fixtures/authorization's `names`, composed as rover would. */
export async function compose(...names: string[]): Promise<string> {
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

/** The catalog + people supergraph and its policy, which `run` uses unless told otherwise; set by loadSupergraph. */
export let supergraphSdl: string;
export let policy: AuthorizationPolicy;

/** For a test file's beforeAll. */
export async function loadSupergraph(): Promise<void> {
  supergraphSdl = await compose('catalog', 'people');
  policy = authorizationPolicy(supergraphSdl);
}

/** Authorize, execute what is left (unless denied), apply: the client's answer. */
export async function run(
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

/** The error the client gets at each of `paths`, for fields that need `needs` (the message says it). */
export function unauthorized(code: 'UNAUTHENTICATED' | 'FORBIDDEN', needs: string, ...paths: (string | number)[][]) {
  return paths.map((path) => ({ message: `Unauthorized field or type: needs ${needs}.`, path, extensions: { code } }));
}

/** The operation text sent on, once protected selections are removed. */
export function textOf(result: AuthorizationResult): string {
  if (result.kind !== 'filtered') throw new Error(`expected a filtered operation, got ${result.kind}`);
  return result.text;
}
