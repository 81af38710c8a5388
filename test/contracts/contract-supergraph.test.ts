import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { printSchema as printFederationSchema, Supergraph } from '@apollo/federation-internals';
import { buildSchema, isInputObjectType, isInterfaceType, isObjectType, parse, printSchema, validate, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ContractError, contractSupergraph, readContractsConfig, type ContractFilter } from '#tooling/contracts.js';

/**
 * A contract is the supergraph with @inaccessible on what its tags leave out:
 * its API schema is exactly the contract, while the supergraph keeps every
 * key and join for the query planner. First on a small shop, then on ours.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

const SHOP = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@tag"])

type Query {
  product(upc: String!): Product @tag(name: "partner")
  search(filter: SearchFilter): [Product!]! @tag(name: "partner")
  me: User
}

type Mutation {
  restock(upc: String!, quantity: Int!): Product @tag(name: "partner")
  deleteProduct(upc: String!): Boolean
}

"Tagged as a whole: its fields are in unless one says otherwise."
type Product @key(fields: "upc") @tag(name: "partner") {
  upc: String!
  name: String!
  cost: Int @tag(name: "internal")
  category: Category
  owner: User
  createdAt: DateTime
}

enum Category {
  BOOKS
  TOYS
  SECRET @tag(name: "internal")
}

scalar DateTime
scalar Note

type User @key(fields: "id") {
  id: ID!
  email: String
  note: Note
}

input SearchFilter {
  text: String
  category: Category
  internalOnly: Boolean @tag(name: "internal")
}
`;

function compose(sdl: string): string {
  const result = composeServices([{ name: 'shop', url: 'http://shop.internal/graphql', typeDefs: parse(sdl) }]);
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
}

function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return buildSchema(printFederationSchema(Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema()));
}

const apiSdl = (supergraphSdl: string) => printSchema(apiSchemaOf(supergraphSdl));

function contractProblems(supergraphSdl: string, filter: ContractFilter): string[] {
  try {
    contractSupergraph(supergraphSdl, filter);
  } catch (error) {
    if (error instanceof ContractError) return error.problems;
    throw error;
  }
  throw new Error('expected the contract to fail');
}

describe('a contract of a small shop', () => {
  const shop = compose(SHOP);

  it('with include: only what is tagged, types following what uses them, excluded tags winning', () => {
    const partner = contractSupergraph(shop, { include: ['partner'], exclude: ['internal'] });

    // User has no tagged field, so it goes, and Product.owner with it; Note then serves nothing.
    expect(apiSdl(partner)).toBe(`enum Category {
  BOOKS
  TOYS
}

scalar DateTime

type Mutation {
  restock(upc: String!, quantity: Int!): Product
}

"""Tagged as a whole: its fields are in unless one says otherwise."""
type Product {
  upc: String!
  name: String!
  category: Category
  createdAt: DateTime
}

type Query {
  product(upc: String!): Product
  search(filter: SearchFilter): [Product!]!
}

input SearchFilter {
  text: String
  category: Category
}`);
  });

  it('with exclude only: everything but what carries the tag', () => {
    const api = apiSdl(contractSupergraph(shop, { include: [], exclude: ['internal'] }));
    expect(api).not.toMatch(/cost|SECRET|internalOnly/);
    expect(api).toMatch(/deleteProduct\(upc: String!\): Boolean/);
    expect(api).toMatch(/type User \{\n {2}id: ID!\n {2}email: String\n {2}note: Note\n\}/);
  });

  it('hides with @inaccessible, so the planner still has every field and key', () => {
    const partner = contractSupergraph(shop, { include: ['partner'], exclude: [] });
    expect(partner).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/inaccessible\/v0\.2", for: SECURITY\)/);
    expect(partner).toMatch(/^type User\n {2}@join__type\(graph: SHOP, key: "id"\)\n {2}@inaccessible\n/m);
    expect(partner).toMatch(/^ {2}me: User @inaccessible$/m);
    // Everything else is as composition printed it.
    const withoutInaccessible = (sdl: string) =>
      sdl
        .split('\n')
        .filter((line) => line !== '' && !/^ *@inaccessible$|specs\.apollo\.dev\/inaccessible|^directive @inaccessible /.test(line))
        .map((line) => line.replace(/ @inaccessible$/, ''));
    expect(withoutInaccessible(partner)).toEqual(withoutInaccessible(shop));
  });

  it('names a required argument it would have to hide, rather than drop its field', () => {
    const shopWithRequiredFilter = compose(
      SHOP.replace('search(filter: SearchFilter)', 'search(filter: SearchFilter!)').replace('input SearchFilter {', 'input SearchFilter @tag(name: "internal") {'),
    );
    expect(contractProblems(shopWithRequiredFilter, { include: ['partner'], exclude: ['internal'] })).toEqual([
      'Query.search(filter:) is required, but the contract leaves it (or its type SearchFilter) out while keeping Query.search.',
    ]);
  });

  it('refuses a contract with no query field', () => {
    expect(contractProblems(shop, { include: ['nobody'], exclude: [] })).toEqual([
      'The contract leaves Query with no fields: tag at least one root field.',
    ]);
  });
});

/** Every type of a schema with its fields (or input fields), sorted: what a client can select. */
function shapeOf(schema: GraphQLSchema): Record<string, string[]> {
  return Object.fromEntries(
    Object.values(schema.getTypeMap())
      .filter((type) => !type.name.startsWith('__'))
      .map((type) => [
        type.name,
        isObjectType(type) || isInterfaceType(type) || isInputObjectType(type) ? Object.keys(type.getFields()).sort() : [],
      ])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );
}

describe("Junction's partner contract", () => {
  it('is what npm run compose wrote to contracts/partner.graphql', async () => {
    const { contracts } = await readContractsConfig(join(root, 'contracts.yaml'));
    expect(contracts).toEqual([{ name: 'partner', description: expect.any(String), include: ['partner'], exclude: ['internal'] }]);
    const supergraphSdl = await readFile(join(root, 'supergraph.graphql'), 'utf8');
    expect(await readFile(join(root, 'contracts', 'partner.graphql'), 'utf8')).toBe(contractSupergraph(supergraphSdl, contracts[0]!));
  });

  it('shows partners the catalogue, stock, restocking and public reviews, and their live updates; no users, no other mutations', async () => {
    const schema = apiSchemaOf(await readFile(join(root, 'contracts', 'partner.graphql'), 'utf8'));
    expect(shapeOf(schema)).toEqual({
      Boolean: [],
      DateTime: [],
      ID: [],
      Int: [],
      Mutation: ['restock'],
      PageInfo: ['endCursor', 'hasNextPage'],
      Product: ['description', 'inStock', 'name', 'price', 'quantity', 'reviews', 'shippingEstimate', 'upc', 'weight'],
      ProductConnection: ['edges', 'pageInfo'],
      ProductEdge: ['cursor', 'node'],
      Query: ['product', 'products', 'review', 'topProducts'],
      Review: ['body', 'createdAt', 'id', 'product', 'rating'],
      String: [],
      Subscription: ['reviewAdded', 'stockChanged'],
    });
  });

  it("takes every operation the partner client registered (trusted-documents/partner.json)", async () => {
    const schema = apiSchemaOf(await readFile(join(root, 'contracts', 'partner.graphql'), 'utf8'));
    const manifest = JSON.parse(await readFile(join(root, 'trusted-documents', 'partner.json'), 'utf8')) as {
      operations: { name: string; body: string }[];
    };
    expect(manifest.operations.map(({ name }) => name)).toEqual(['Catalogue', 'StockLevel', 'Restock']);
    for (const operation of manifest.operations) {
      expect({ operation: operation.name, errors: validate(schema, parse(operation.body)).map((error) => error.message) }).toEqual({
        operation: operation.name,
        errors: [],
      });
    }
  });
});
