import { link, type Shape } from '../shape.js';

/**
 * Enums and @inaccessible across two subgraphs: an enum value clients cannot
 * see that a subgraph still answers, an output enum with different values in
 * each subgraph, an input enum whose values only partly agree, and fields,
 * a type and an argument clients cannot see (one of them used by @requires).
 */
const products = [
  { id: 'p1', name: 'Lamp', status: 'ACTIVE', tier: 'FREE', cost: 10, plan: 'PRO', note: 'bright' },
  { id: 'p2', name: 'Desk', status: 'RETIRED', tier: 'PRO', cost: 200, plan: 'ENTERPRISE', note: null },
  // SECRET and LEGACY are @inaccessible: a gateway must not show them.
  { id: 'p3', name: 'Safe', status: 'SECRET', tier: 'PRO', cost: 900, plan: 'LEGACY', note: 'hidden' },
  { id: 'p4', name: 'Chair', status: 'ACTIVE', tier: null, cost: 40, plan: null, note: null },
];
const byId = (id: string) => products.find((product) => product.id === id) ?? null;

export const enumsInaccessibleShape: Shape = {
  name: 'enums-inaccessible',
  about: 'Enum values and fields hidden with @inaccessible, an output enum that differs between subgraphs, an input enum that partly agrees.',
  subgraphs: [
    {
      name: 'catalog',
      sdl: `${link('2.7', 'key', 'inaccessible')}
        enum Status { ACTIVE RETIRED SECRET @inaccessible }
        enum Tier { FREE PRO }
        enum Region { EU US APAC }
        type Internal @inaccessible { note: String }
        type Product @key(fields: "id") {
          id: ID!
          name: String!
          status: Status!
          tier: Tier
          cost: Int @inaccessible
          internal: Internal @inaccessible
        }
        type Query {
          products(status: Status, region: Region): [Product!]!
          product(id: ID!, audit: Boolean @inaccessible): Product
          statuses: [Status!]!
        }`,
      resolvers: {
        Query: {
          products: (_: unknown, { status }: { status?: string }) => products.filter((product) => !status || product.status === status),
          product: (_: unknown, { id }: { id: string }) => byId(id),
          statuses: () => ['ACTIVE', 'RETIRED', 'SECRET'],
        },
        Product: {
          __resolveReference: ({ id }: { id: string }) => byId(id),
          internal: (product: { note: string | null }) => ({ note: product.note }),
        },
      },
    },
    {
      name: 'pricing',
      sdl: `${link('2.7', 'key', 'inaccessible', 'external', 'requires')}
        enum Tier { FREE PRO ENTERPRISE LEGACY @inaccessible }
        enum Region { EU US }
        type Product @key(fields: "id") {
          id: ID!
          cost: Int @external
          plan: Tier
          price(region: Region = EU): Int @requires(fields: "cost")
        }
        type Query { plans: [Tier]! }`,
      resolvers: {
        Query: { plans: () => ['FREE', 'LEGACY', null, 'ENTERPRISE'] },
        Product: {
          __resolveReference: (reference: { id: string; cost?: number }) => {
            const product = byId(reference.id);
            return product ? { ...reference, plan: product.plan } : null;
          },
          price: (product: { cost: number | null }, { region }: { region: string }) =>
            product.cost === null || product.cost === undefined ? null : product.cost * (region === 'US' ? 2 : 3),
        },
      },
    },
  ],
  scenarios: [
    { name: 'an enum value clients cannot see, in a non-null position', query: '{ products { id status } }' },
    { name: 'enum values clients cannot see, in a list', query: '{ statuses plans }' },
    { name: 'an output enum whose values differ between subgraphs', query: '{ products { name tier plan } }' },
    { name: 'an input enum whose values only partly agree', query: '{ products(region: US, status: ACTIVE) { name price(region: US) } eu: product(id: "p2") { price } }' },
    { name: 'a field @requires an inaccessible field', query: '{ product(id: "p3") { name price } }' },
    {
      name: 'introspection does not show what is inaccessible',
      query: `{ status: __type(name: "Status") { enumValues { name } } tier: __type(name: "Tier") { enumValues(includeDeprecated: true) { name } }
        internal: __type(name: "Internal") { name } product: __type(name: "Product") { fields { name args { name } } } }`,
    },
    { name: 'an inaccessible field is not there', query: '{ product(id: "p1") { cost } }' },
    { name: 'an inaccessible enum value as an argument', query: '{ products(status: SECRET) { id } }' },
    { name: 'an enum value as a variable', query: 'query($status: Status) { products(status: $status) { id status } }', variables: { status: 'RETIRED' } },
  ],
  values: {
    'Query.product(id:)': ['p1', 'p2', 'p3', 'p9'],
  },
};
