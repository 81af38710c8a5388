import { link, type Shape } from '../shape.js';

/**
 * A graph of nodes whose fields three subgraphs share out, so every level of
 * a deep selection is another fetch: for deep nesting and @skip/@include.
 */
type Node = { id: string; name: string; left: string | null; right: string | null; children: string[]; weight: number; tag: string | null };
const nodes: Node[] = [
  { id: 'n1', name: 'root', left: 'n2', right: 'n3', children: ['n2', 'n3', 'n4'], weight: 1, tag: 'top' },
  { id: 'n2', name: 'two', left: 'n4', right: 'n5', children: ['n5'], weight: 2, tag: null },
  { id: 'n3', name: 'three', left: 'n2', right: 'n1', children: [], weight: 3, tag: 'loop' },
  { id: 'n4', name: 'four', left: 'n5', right: 'n9', children: ['n1'], weight: 4, tag: null },
  { id: 'n5', name: 'five', left: 'n3', right: 'n4', children: ['n2', 'n9'], weight: 5, tag: 'leaf' },
];
const node = (id: string | null) => (id ? (nodes.find((candidate) => candidate.id === id) ?? null) : null);
// A subgraph answers a node it returned itself (a reference) from its own fields; n9 it does not know.
const ref = (id: string | null) => (id ? { id } : null);

export const deepShape: Shape = {
  name: 'deep',
  about: 'Nodes whose fields three subgraphs share, so each level of nesting is another fetch; n9 exists nowhere.',
  subgraphs: [
    {
      name: 'names',
      sdl: `${link('2.7', 'key')}
        type Node @key(fields: "id") { id: ID! name: String! left: Node }
        type Query { root: Node! node(id: ID!): Node }`,
      resolvers: {
        Query: { root: () => node('n1'), node: (_: unknown, { id }: { id: string }) => node(id) },
        Node: {
          __resolveReference: ({ id }: { id: string }) => node(id),
          name: ({ id }: { id: string }) => node(id)?.name,
          left: ({ id }: { id: string }) => ref(node(id)?.left ?? null),
        },
      },
    },
    {
      name: 'weights',
      sdl: `${link('2.7', 'key')}
        type Node @key(fields: "id") { id: ID! weight: Int! right: Node }`,
      resolvers: {
        Node: {
          __resolveReference: ({ id }: { id: string }) => node(id),
          weight: ({ id }: { id: string }) => node(id)?.weight,
          right: ({ id }: { id: string }) => ref(node(id)?.right ?? null),
        },
      },
    },
    {
      name: 'tags',
      sdl: `${link('2.7', 'key')}
        type Node @key(fields: "id") { id: ID! tag: String children(first: Int): [Node!]! }`,
      resolvers: {
        Node: {
          __resolveReference: ({ id }: { id: string }) => node(id),
          tag: ({ id }: { id: string }) => node(id)?.tag,
          children: ({ id }: { id: string }, { first }: { first?: number | null }) => (node(id)?.children ?? []).slice(0, first ?? undefined).map(ref),
        },
      },
    },
  ],
  scenarios: [
    {
      name: 'aliases and fragments over several levels beside introspection',
      query: `query($first: Int = 1) {
        top: root { ...Named l: left { ...Named r: right { ...Named kids: children(first: $first) { ...Named } } } }
        __type(name: "Node") { fields { name type { kind ofType { name } } } }
      }
      fragment Named on Node { id label: name }`,
    },
    {
      name: 'eight levels, each from another subgraph',
      query: '{ root { name right { weight left { tag children { name right { left { weight children(first: 1) { tag left { name } } } } } } } } }',
    },
    {
      name: '@skip and @include on fields, fragments and spreads, by literal and variable',
      query: `query($deep: Boolean!, $light: Boolean = false) {
        root {
          name @skip(if: $light)
          ... @include(if: $deep) { left { left { ...Weighed @skip(if: $light) } } }
          right @include(if: $light) { tag }
          children(first: 2) @include(if: true) { id weight @skip(if: true) ... on Node @skip(if: $deep) { tag } }
        }
      }
      fragment Weighed on Node { weight right { name @include(if: $deep) } }`,
      variables: { deep: true },
    },
    { name: 'a node that exists nowhere, deep in non-null lists', query: '{ node(id: "n5") { children { name weight } } }' },
    { name: 'the same node under many paths', query: '{ root { children { children { children(first: 1) { id name weight tag } } } } }' },
  ],
  values: { 'Query.node(id:)': ['n1', 'n4', 'n9'], 'Node.children(first:)': [1, 2] },
  generator: { depth: 5 },
};
