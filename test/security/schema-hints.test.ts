import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { buildSchema, getOperationAST, getVariableValues, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERIC, withoutHints, writtenNames } from '#gateway/stages/introspection/schema-hints.js';
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

describe('withoutHints, message by message', () => {
  const schema = buildSchema(`
    enum Color { RED GREEN BLUE }
    input ProductFilter { color: Color, minPrice: Int, name: String! }
    input Pick @oneOf { id: ID, upc: String }
    directive @tag(name: String!) on FIELD
    type Product { id: ID! name: String price(currency: Color!): Int related: [Product] }
    type Review { body: String }
    union Item = Product | Review
    type Query { product(id: ID!): Product products(filter: ProductFilter, first: Int): [Product] item: Item pick(by: Pick): Product }
  `);
  const hidden = (query: string, variables?: Record<string, unknown>) => {
    const document = parse(query);
    const errors = variables
      ? (getVariableValues(schema, getOperationAST(document)!.variableDefinitions ?? [], variables).errors ?? [])
      : validate(schema, document);
    return errors.map((error) => withoutHints(error.message, writtenNames(document)));
  };

  it.each([
    ['{ item { id } }', 'Cannot query field "id" here.'],
    ['{ product(id: 1) { name { x } } }', 'Field "name" must not have a selection since its type has no subfields.'],
    ['{ product(id: 1) { related } }', 'Field "related" must have a selection of subfields.'],
    ['{ product(id: 1) { id @tag } }', 'Directive "@tag" is missing a required argument.'],
    ['{ product(id: 1) { id @tag(name: "x", nam: "y") } }', 'Unknown argument "nam" on directive "@tag".'],
    ['{ product(id: 1) { id @tagg } }', 'Unknown directive "@tagg".'],
    ['{ pick(by: { id: 1, upc: "x" }) { id } }', 'The OneOf input object must specify exactly one key.'],
    ['query($c: Color) { product(id: 1) { price(currency: $c) } }', 'Variable "$c" of type "Color" used in position expecting type "Color!".'],
    ['query($n: Int) { product(id: $n) { id } }', 'Variable "$n" of type "Int" used in position expecting another type.'],
    ['{ product(id: null) { id } }', 'Expected a non-null value, found null.'],
    ['{ products(filter: 3) { id } }', 'Expected a value of another type, found 3.'],
    ['{ product(id: 1) { a: name a: price(currency: RED) } }', 'Fields "a" conflict because "name" and "price" are different fields. Use different aliases on the fields to fetch both if this was intentional.'],
    ['{ product(id: 1) { ...R } } fragment R on Review { body }', 'Fragment "R" cannot be spread here as the objects here can never be of type "Review".'],
    ['{ item { ... on Product { ...R } } } fragment R on Review { body }', 'Fragment "R" cannot be spread here as objects of type "Product" can never be of type "Review".'],
    ['{ ... on Review { body } }', 'Fragment cannot be spread here as the objects here can never be of type "Review".'],
    ['query($f: Product) { products(first: 1) { id } }', 'Variable "$f" cannot be non-input type "Product".'],
  ])('%s', (query, message) => {
    expect(hidden(query)).toContain(message);
  });

  it('keeps the types two conflicting fields return out of the reason', () => {
    const messages = hidden('{ item { ... on Product { x: name } ... on Review { x: body } } product(id: 1) { y: name y: id } }');
    expect(messages).toContain('Fields "y" conflict because "name" and "id" are different fields. Use different aliases on the fields to fetch both if this was intentional.');
    expect(hidden('{ product(id: 1) { related { a: name } related { a: id } } }')).toEqual([
      'Fields "related" conflict because subfields "a" conflict because "name" and "id" are different fields. Use different aliases on the fields to fetch both if this was intentional.',
    ]);
    const typed = buildSchema('type A { v: Int } type B { v: String } union U = A | B type Query { u: U }');
    const document = parse('{ u { ... on A { v } ... on B { v } } }');
    const [error] = validate(typed, document);
    expect(error!.message).toContain('conflicting types "Int" and "String"');
    expect(withoutHints(error!.message, writtenNames(document))).toBe(
      'Fields "v" conflict because they return conflicting types. Use different aliases on the fields to fetch both if this was intentional.',
    );
  });

  it('words variables’ errors without the schema’s types', () => {
    expect(hidden('query($f: ProductFilter) { products(filter: $f) { id } }', { f: { name: 'x', minPrice: 'cheap' } })).toEqual([
      'Variable "$f" got invalid value "cheap" at "f.minPrice"; Expected a value of another type, found "cheap".',
    ]);
    expect(hidden('query($f: ProductFilter) { products(filter: $f) { id } }', { f: 'x' })).toEqual(['Variable "$f" got invalid value "x"; Expected type "ProductFilter" to be an object.']);
    expect(hidden('query($n: Int) { products(first: $n) { id } }', { n: 'x' })).toEqual(['Variable "$n" got invalid value "x"; Int cannot represent non-integer value: "x"']);
    expect(hidden('query($p: Pick) { pick(by: $p) { id } }', { p: { id: 1, upc: 'x' } })).toEqual([
      'Variable "$p" got invalid value { id: 1, upc: "x" }; Exactly one key must be specified for OneOf type "Pick".',
    ]);
    expect(hidden('query($v: [ProductFilter]) { products(filter: { name: "x" }) { id } }', { v: [{ name: null }] })).toContain(
      'Variable "$v" got invalid value null at "v[0].name"; Expected a non-null value.',
    );
  });

  it('keeps messages that quote only what the caller wrote, and replaces any other', () => {
    const written = writtenNames(parse('query Q($v: Int) { a b }'));
    expect(withoutHints('There can be only one operation named "Q".', written)).toBe('There can be only one operation named "Q".');
    expect(withoutHints('Variable "$v" is never used in operation "Q".', written)).toBe('Variable "$v" is never used in operation "Q".');
    expect(withoutHints('Some future message naming "Secret".', written)).toBe(GENERIC);
    expect(withoutHints('Some future message naming "a". Did you mean "Secret"?', written)).toBe('Some future message naming "a".');
    expect(withoutHints('Unbalanced "quote', written)).toBe(GENERIC);
    // A name written as a field is not a type the caller wrote: it confirms nothing.
    expect(withoutHints('Cannot query field "x" on type "Product".', writtenNames(parse('{ Product: x }')))).toBe('Cannot query field "x" here.');
  });
});
