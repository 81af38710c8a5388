import { link, type Shape, type SubgraphDefinition } from '../shape.js';

/**
 * @override: a field moved from one subgraph to another, plainly (stock
 * supports it), progressively (`percent(50)`: drawn per request) and behind a
 * custom label (active when the request says so). Stock plans every label as
 * inactive, so the labelled shapes are compared with equivalent supergraphs:
 * the override made unconditional (`on`) or absent (`off`), per the label.
 * The two subgraphs answer different values, so an answer shows which one
 * was asked.
 */
const items = [
  { id: 'i1', name: 'Kettle', price: 30, inStock: true },
  { id: 'i2', name: 'Toaster', price: 45, inStock: false },
  { id: 'i3', name: 'Mug', price: 5, inStock: true },
];
const item = (id: string) => items.find((candidate) => candidate.id === id) ?? null;

/**
 * `old` owns items; `new` takes `price` (and `inStock`) from it, answering
 * other values. Fields are in an order that keeps the API schema (and so
 * introspection) the same whether `new` has them or not.
 */
function subgraphs(override: string | undefined): SubgraphDefinition[] {
  const fields = override === undefined ? '' : `price: Int! ${override} inStock: Boolean! ${override}`;
  return [
    {
      name: 'old',
      sdl: `${link('2.7', 'key')}
        type Item @key(fields: "id") { id: ID! price: Int! inStock: Boolean! name: String! }
        type Query { items: [Item!]! item(id: ID!): Item }`,
      resolvers: {
        Query: { items: () => items, item: (_: unknown, { id }: { id: string }) => item(id) },
        // `old` no longer knows: it answers what `new` would not.
        Item: { __resolveReference: ({ id }: { id: string }) => item(id), price: () => -1, inStock: () => false },
      },
    },
    {
      name: 'new',
      sdl: `${link('2.7', 'key', 'override')}
        type Item @key(fields: "id") { id: ID! ${fields} }
        type Sale { discount: Int! item: Item! }
        type Query { sale: [Sale!]! }`,
      resolvers: {
        Query: { sale: () => [{ discount: 50, item: { id: 'i3' } }, { discount: 0, item: { id: 'i1' } }] },
        Item: {
          __resolveReference: ({ id }: { id: string }) => item(id),
          ...(override === undefined
            ? {}
            : { price: ({ id }: { id: string }) => item(id)!.price, inStock: ({ id }: { id: string }) => item(id)!.inStock }),
        },
      },
    },
  ];
}

const scenarios = [
  { name: 'the overridden fields from the root', query: '{ items { id name price inStock } }' },
  { name: 'the overridden fields from the subgraph that took them', query: '{ sale { discount item { price name inStock } } }' },
  { name: 'one item by variable, through a fragment', query: 'query($id: ID!) { item(id: $id) { ...Priced } } fragment Priced on Item { price inStock }', variables: { id: 'i2' } },
];
const values = { 'Query.item(id:)': ['i1', 'i2', 'i9'] };

export const overrideShape: Shape = {
  name: 'override',
  about: 'A field moved to another subgraph with a plain @override(from:).',
  subgraphs: subgraphs('@override(from: "old")'),
  scenarios,
  values,
};

export const overridePercentShape: Shape = {
  name: 'override-percent',
  about: 'A progressive override, @override(from: "old", label: "percent(50)"): each request draws whether it is active.',
  subgraphs: subgraphs('@override(from: "old", label: "percent(50)")'),
  variants: { on: subgraphs('@override(from: "old")').slice(1), off: subgraphs(undefined).slice(1) },
  scenarios,
  values,
};

export const overrideLabelShape: Shape = {
  name: 'override-label',
  about: 'An override behind a custom label, @override(from: "old", label: "beta"): active only for requests that say so.',
  subgraphs: subgraphs('@override(from: "old", label: "beta")'),
  variants: { on: subgraphs('@override(from: "old")').slice(1), off: subgraphs(undefined).slice(1) },
  scenarios: [
    ...scenarios,
    ...scenarios.map((scenario) => ({ ...scenario, name: `${scenario.name}, with the label active`, overrideLabels: ['beta'] })),
  ],
  values,
};
