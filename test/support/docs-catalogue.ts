import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { parseEnv } from '#lib/env.js';
import type { Changelog } from '../../scripts/schema/changelog.js';
import { docsSettings, type DocsSettings } from '../../scripts/schema/docs-settings.js';

/**
 * A small catalogue to document, with every kind of schema element and a
 * changelog. `compose('@inaccessible')` writes its partner contract the way
 * `npm run compose` writes a contract: the full supergraph with
 * `@inaccessible` on what it leaves out (a field, an argument, an enum value
 * and a type); `compose('')` is the full supergraph.
 */
const catalog = (hide: string) => `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@inaccessible"])

"""The catalogue's entry points. <script>alert("owned")</script>"""
type Query {
  "One product by UPC, or \`null\` when there is none."
  product("The product's UPC." upc: String!): Product
  "Products in the given order."
  products("How many, from 1 to 100." first: Int = 10 ${hide}, "The order." sort: Sort = NAME): [Product!]!
  "Products and brands whose name contains the text."
  search("What to look for." text: String!): [SearchResult!]!
}

"Changes to the catalogue."
type Mutation {
  "Adds a product and returns it."
  addProduct("The product's details." input: NewProduct!): Product!
}

"Anything with a stable id."
interface Node {
  "The stable id."
  id: ID!
}

"Something for sale."
type Product implements Node @key(fields: "upc") {
  "The stable id."
  id: ID!
  "The Universal Product Code."
  upc: String!
  "The name on the shelf."
  name: String!
  "What the product costs us, in cents."
  cost: Int ${hide}
  "The name before renaming."
  title: String @deprecated(reason: "Use \`name\`.")
}

"A maker of products."
type Brand implements Node ${hide} {
  "The stable id."
  id: ID!
  "The brand's name."
  name: String!
}

"A search hit."
union SearchResult = Product | Brand

"How products are ordered."
enum Sort {
  "By name, A to Z."
  NAME
  "By margin, highest first."
  MARGIN ${hide}
  "By age."
  OLDEST @deprecated(reason: "Nobody sorts by age.")
}

"A new product."
input NewProduct {
  "The Universal Product Code."
  upc: String!
  "The name on the shelf."
  name: String!
  "What it costs us, in cents."
  cost: Int = 0 ${hide}
}
`;

const reviews = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

type Product @key(fields: "upc") {
  upc: String!
  "What buyers said, newest first."
  reviews: [Review!]!
}

"A buyer's opinion of a product."
type Review {
  "What the buyer wrote."
  body: String!
}
`;

/** The catalogue and reviews subgraphs composed, with `hide` (`''` or `'@inaccessible'`) on what the partner contract leaves out. */
export function compose(hide: string): string {
  const result = composeServices([
    { name: 'catalog', url: 'http://catalog.test/graphql', typeDefs: parse(catalog(hide)) },
    { name: 'reviews', url: 'http://reviews.test/graphql', typeDefs: parse(reviews) },
  ]);
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
}

/** The catalogue's history: a first publication, then one change of each severity. */
export const changelog: Changelog = {
  format: 'junction-schema-changelog',
  version: 1,
  entries: [
    {
      publishedAt: '2026-03-01T09:30:00.000Z',
      initial: false,
      summary: { breaking: 1, dangerous: 1, safe: 1 },
      changes: [
        { severity: 'breaking', type: 'FIELD_REMOVED', coordinate: 'Product.price', message: 'Product.price was removed.' },
        { severity: 'dangerous', type: 'VALUE_ADDED_TO_ENUM', coordinate: 'Sort.MARGIN', message: 'MARGIN was added to enum type Sort.' },
        { severity: 'safe', type: 'FIELD_ADDED', coordinate: 'Product.cost', message: 'Product.cost was added.' },
      ],
    },
    { publishedAt: '2026-02-01T08:00:00.000Z', initial: true, summary: { breaking: 0, dangerous: 0, safe: 0 }, changes: [] },
  ],
};

/** The catalogue's registered operations: the partner contract's client, and web (served the full API). */
export const partnerOperations = [
  { id: 'p-product', name: 'ProductByUpc', type: 'query', body: 'query ProductByUpc($upc: String!) {\n  product(upc: $upc) {\n    upc\n    name\n  }\n}' },
  { id: 'p-add', name: 'AddProduct', type: 'mutation', body: 'mutation AddProduct($input: NewProduct!) {\n  addProduct(input: $input) {\n    id\n  }\n}' },
  // Not in the partner contract: product cost is left out of it.
  { id: 'p-costs', name: 'Costs', type: 'query', body: 'query Costs {\n  product(upc: "1") {\n    cost\n  }\n}' },
  // Markup in an operation's strings and comments is text on the page.
  {
    id: 'p-sneaky',
    name: 'Sneaky',
    type: 'query',
    body: 'query Sneaky {\n  search(text: "</code></pre><script>alert(1)</script>") {\n    __typename\n  }\n}\n# <img src=x onerror=alert(2)>',
  },
] as const;

export const webOperations = [
  { id: 'w-sorted', name: 'Sorted', type: 'query', body: 'query Sorted($first: Int!, $sort: Sort = MARGIN) {\n  products(first: $first, sort: $sort) {\n    name\n  }\n}' },
] as const;

const manifest = (operations: readonly object[]) => JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations });

/**
 * A folder with the catalogue's contracts.yaml, its partner contract as
 * `npm run compose` writes it, and trusted-documents/ with both clients'
 * operations and the partner's example variables.
 */
export async function writeCatalogue(dir: string): Promise<void> {
  await mkdir(join(dir, 'contracts'), { recursive: true });
  await mkdir(join(dir, 'trusted-documents', 'examples'), { recursive: true });
  await Promise.all([
    writeFile(join(dir, 'contracts', 'partner.graphql'), compose('@inaccessible')),
    writeFile(
      join(dir, 'contracts.yaml'),
      'contracts:\n  partner:\n    description: What partners integrate against.\n    include: [partner]\n    exclude: [internal]\n',
    ),
    writeFile(join(dir, 'trusted-documents', 'partner.json'), manifest(partnerOperations)),
    writeFile(join(dir, 'trusted-documents', 'web.json'), manifest(webOperations)),
    writeFile(join(dir, 'trusted-documents', 'examples', 'partner.json'), JSON.stringify({ ProductByUpc: { variables: { upc: '0123456789012' } } })),
  ]);
}

/** The Getting started pages' settings from these environment variables, over the gateway's defaults. */
export function settingsFor(variables: Record<string, string> = {}, endpoint?: string): DocsSettings {
  const parsed = parseEnv({ NODE_ENV: 'test', ...variables });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return docsSettings(parsed.env, endpoint);
}
