import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { createIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';

/**
 * The schema does not leak through validation messages to a caller who may
 * not introspect (issue 14, item 4): no "Did you mean", no type, field,
 * argument or enum value the caller did not write. Callers who may introspect,
 * and development, keep graphql-js's messages as they are. Production CLI
 * gateways over a shop subgraph with enums, input objects and required
 * arguments, as an attacker would guess at it.
 */
const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  enum Currency { EUR USD }
  enum Color { RED GREEN BLUE }
  input ProductFilter { color: Color, maxPrice: Int, name: String! }
  type Product @key(fields: "id") {
    id: ID!
    name: String!
    price(currency: Currency!): Int
    secretCode: String
  }
  type Query {
    product(id: ID!): Product
    products(filter: ProductFilter, first: Int): [Product!]!
  }
`);

const product = { id: '1', name: 'Lamp', secretCode: 'S-1' };
const resolvers = {
  Query: { product: () => product, products: () => [product] },
  Product: { price: (_: unknown, { currency }: { currency: string }) => (currency === 'EUR' ? 10 : 11) },
};

type Case = {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  code: string;
  /** graphql-js's messages, which callers who may introspect get. */
  full: string[];
  /** What a caller who may not introspect gets. */
  hidden: string[];
};

const CASES: Case[] = [
  {
    name: 'a field guessed',
    query: '{ product(id: "1") { secretCod } }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    full: ['Cannot query field "secretCod" on type "Product". Did you mean "secretCode"?'],
    hidden: ['Cannot query field "secretCod" here.'],
  },
  {
    name: 'a root field mistyped',
    query: '{ prodcts { id } }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    full: ['Cannot query field "prodcts" on type "Query". Did you mean "products" or "product"?'],
    hidden: ['Cannot query field "prodcts" here.'],
  },
  {
    name: 'a field on a type the caller named',
    query: '{ product(id: "1") { ...F } } fragment F on Product { nam }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    full: ['Cannot query field "nam" on type "Product". Did you mean "name"?'],
    hidden: ['Cannot query field "nam" on type "Product".'],
  },
  {
    name: 'an argument mistyped (and the one it missed)',
    query: '{ product(idd: "1") { id } }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    full: [
      'Unknown argument "idd" on field "Query.product". Did you mean "id"?',
      'Field "product" argument "id" of type "ID!" is required, but it was not provided.',
    ],
    hidden: ['Unknown argument "idd" on field "product".', 'Field "product" is missing a required argument.'],
  },
  {
    name: 'a required argument left out',
    query: '{ product(id: "1") { price } }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    full: ['Field "price" argument "currency" of type "Currency!" is required, but it was not provided.'],
    hidden: ['Field "price" is missing a required argument.'],
  },
  {
    name: 'a type mistyped in a fragment',
    query: '{ product(id: "1") { ...F } } fragment F on Prodct { id }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    full: ['Unknown type "Prodct". Did you mean "Product"?'],
    hidden: ['Unknown type "Prodct".'],
  },
  {
    name: 'a type mistyped in a variable',
    query: 'query($f: ProductFiltr) { products(filter: $f) { id } }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    full: ['Unknown type "ProductFiltr". Did you mean "ProductFilter" or "Product"?'],
    hidden: ['Unknown type "ProductFiltr".'],
  },
  {
    name: 'a variable of the wrong type',
    query: 'query($f: String) { products(filter: $f) { id } }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    full: ['Variable "$f" of type "String" used in position expecting type "ProductFilter".'],
    hidden: ['Variable "$f" of type "String" used in position expecting another type.'],
  },
  {
    name: 'an enum value mistyped',
    query: '{ product(id: "1") { price(currency: EUROS) } }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    full: ['Value "EUROS" does not exist in "Currency" enum. Did you mean the enum value "EUR"?'],
    hidden: ['Value "EUROS" does not exist in this enum.'],
  },
  {
    name: 'an enum value given as a string',
    query: '{ product(id: "1") { price(currency: "EUR") } }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    full: ['Enum "Currency" cannot represent non-enum value: "EUR". Did you mean the enum value "EUR"?'],
    hidden: ['This enum cannot represent non-enum value: "EUR".'],
  },
  {
    name: 'an input field mistyped',
    query: '{ products(filter: { colr: RED, name: "x" }) { id } }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    full: ['Field "colr" is not defined by type "ProductFilter". Did you mean "color"?'],
    hidden: ['Field "colr" is not defined by the input type.'],
  },
  {
    name: 'a required input field left out',
    query: '{ products(filter: { color: RED }) { id } }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    full: ['Field "ProductFilter.name" of required type "String!" was not provided.'],
    hidden: ['A required input field was not provided.'],
  },
  {
    name: 'a literal of the wrong type',
    query: '{ products(first: "ten") { id } }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    full: ['Int cannot represent non-integer value: "ten"'],
    hidden: ['Expected a value of another type, found "ten".'],
  },
  {
    name: 'a field without its selection',
    query: '{ product(id: "1") }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    full: ['Field "product" of type "Product" must have a selection of subfields. Did you mean "product { ... }"?'],
    hidden: ['Field "product" must have a selection of subfields.'],
  },
  {
    name: 'an enum value mistyped in a variable',
    query: 'query($c: Currency!) { product(id: "1") { price(currency: $c) } }',
    variables: { c: 'EURO' },
    code: 'BAD_USER_INPUT',
    full: ['Variable "$c" got invalid value "EURO"; Value "EURO" does not exist in "Currency" enum. Did you mean the enum value "EUR"?'],
    hidden: ['Variable "$c" got invalid value "EURO"; Value "EURO" does not exist in "Currency" enum.'],
  },
  {
    name: 'an enum value mistyped inside an input variable',
    query: 'query($f: ProductFilter) { products(filter: $f) { id } }',
    variables: { f: { name: 'x', color: 'RD' } },
    code: 'BAD_USER_INPUT',
    full: ['Variable "$f" got invalid value "RD" at "f.color"; Value "RD" does not exist in "Color" enum. Did you mean the enum value "RED"?'],
    hidden: ['Variable "$f" got invalid value "RD" at "f.color"; Value "RD" does not exist in this enum.'],
  },
  {
    name: 'an input field mistyped in a variable',
    query: 'query($f: ProductFilter) { products(filter: $f) { id } }',
    variables: { f: { name: 'x', colour: 'RED' } },
    code: 'BAD_USER_INPUT',
    full: ['Variable "$f" got invalid value { name: "x", colour: "RED" }; Field "colour" is not defined by type "ProductFilter". Did you mean "color"?'],
    hidden: ['Variable "$f" got invalid value { name: "x", colour: "RED" }; Field "colour" is not defined by type "ProductFilter".'],
  },
  {
    name: 'a required input field left out of a variable',
    query: 'query($f: ProductFilter) { products(filter: $f) { id } }',
    variables: { f: { color: 'RED' } },
    code: 'BAD_USER_INPUT',
    full: ['Variable "$f" got invalid value { color: "RED" }; Field "name" of required type "String!" was not provided.'],
    hidden: ['Variable "$f" got invalid value { color: "RED" }; A required input field was not provided.'],
  },
];

let subgraph: ApolloServer;
let identity: IdentityProvider;
let supergraphSdl: string;

beforeAll(async () => {
  subgraph = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers }), plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url } = await startStandaloneServer(subgraph, { listen: { port: 0, host: '127.0.0.1' } });
  const composed = composeServices([{ name: 'shop', url, typeDefs }]);
  if (!composed.supergraphSdl) throw new Error(String(composed.errors));
  supergraphSdl = composed.supergraphSdl;
  identity = await createIdentityProvider();
});

afterAll(async () => {
  await subgraph?.stop();
});

async function post(gateway: GatewayProcess, one: Pick<Case, 'query' | 'variables'>, token?: string) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: one.query, variables: one.variables ?? {} }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: { message: string; extensions: { code: string } }[] };
  return { status: response.status, body };
}

async function expectMessages(gateway: GatewayProcess, one: Case, expected: 'full' | 'hidden', token?: string) {
  const { status, body } = await post(gateway, one, token);
  expect(status).toBe(400);
  expect(body.data).toBeUndefined();
  expect(body.errors!.map((error) => error.extensions.code)).toEqual(one[expected].map(() => one.code));
  expect(body.errors!.map((error) => error.message)).toEqual(one[expected]);
}

/** Every double-quoted part of what a hidden caller reads is something they sent. */
function quotesOnlyWhatWasSent(messages: string[], one: Case): void {
  const sent = `${one.query} ${JSON.stringify(one.variables ?? {})}`;
  for (const message of messages) {
    const quoted = message.split('"').filter((_, index) => index % 2 === 1);
    for (const part of quoted) {
      // `$f`, `@tag`, `[Color!]!` and `f.color` are made of names the caller sent.
      for (const name of part.replace(/[$@[\]!]/g, '').split('.')) expect(sent, `${message}: "${part}"`).toContain(name);
    }
  }
}

describe('in production, introspection for INTROSPECTION_SCOPE only (the default)', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGatewayProcess(supergraphSdl, { JWKS_FILE: identity.jwksFile, JWT_AUDIENCE: identity.audience, RATE_LIMIT: 'false' });
  });

  afterAll(async () => {
    expect(await gateway?.stop()).toBe(0);
  });

  it.each(CASES)('an anonymous caller gets no hint from $name', async (one) => {
    await expectMessages(gateway, one, 'hidden');
    quotesOnlyWhatWasSent(one.hidden, one);
  });

  it.each(CASES)('a caller without the scope gets no hint from $name', async (one) => {
    await expectMessages(gateway, one, 'hidden', await identity.token('7', { scopes: ['read:products'] }));
  });

  it.each(CASES)('a caller with the introspection scope gets graphql-js’s message for $name', async (one) => {
    await expectMessages(gateway, one, 'full', await identity.token('8', { scopes: ['introspection'] }));
  });

  it('still answers valid operations, and refuses introspection itself, as before', async () => {
    const valid = await post(gateway, { query: '{ product(id: "1") { name price(currency: EUR) } }' });
    expect(valid).toEqual({ status: 200, body: { data: { product: { name: 'Lamp', price: 10 } } } });
    const introspection = await post(gateway, { query: '{ __type(name: "Product") { fields { name } } }' });
    expect(introspection.status).toBe(401);
    expect(introspection.body.errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('in production with INTROSPECTION=false', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGatewayProcess(supergraphSdl, { JWKS_FILE: identity.jwksFile, JWT_AUDIENCE: identity.audience, RATE_LIMIT: 'false', INTROSPECTION: 'false' });
  });

  afterAll(async () => {
    expect(await gateway?.stop()).toBe(0);
  });

  it.each(CASES)('nobody gets a hint from $name, scope or not', async (one) => {
    await expectMessages(gateway, one, 'hidden');
    await expectMessages(gateway, one, 'hidden', await identity.token('8', { scopes: ['introspection'] }));
  });
});

describe('in development (INTROSPECTION defaults to true)', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGatewayProcess(supergraphSdl, { NODE_ENV: 'development', RATE_LIMIT: 'false' });
  });

  afterAll(async () => {
    expect(await gateway?.stop()).toBe(0);
  });

  it.each(CASES)('anyone gets graphql-js’s message for $name', async (one) => {
    await expectMessages(gateway, one, 'full');
  });
});
