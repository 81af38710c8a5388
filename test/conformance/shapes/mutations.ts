import { link, type Shape } from '../shape.js';

/**
 * Mutations that must run in order, across two subgraphs: `counter` adds,
 * `ledger` records, and each entry reads the counter as it is when the entry
 * is fetched, so the order of the root fields shows in the answer.
 */
const state = { total: 0, entries: [] as { id: string; note: string; seq: number }[] };

export const mutationsShape: Shape = {
  name: 'mutations',
  about: 'Root mutation fields of two subgraphs, each seeing the ones before it, with entity fetches between them.',
  subgraphs: [
    {
      name: 'counter',
      sdl: `${link('2.7', 'key')}
        type Query { total: Int! }
        type Mutation { add(n: Int!): Int! fail(message: String!): Int }
        type Entry @key(fields: "id") { id: ID! totalThen: Int! }`,
      resolvers: {
        Query: { total: () => state.total },
        Mutation: {
          add: (_: unknown, { n }: { n: number }) => (state.total += n),
          fail: (_: unknown, { message }: { message: string }) => {
            throw new Error(message);
          },
        },
        Entry: { __resolveReference: ({ id }: { id: string }) => ({ id, totalThen: state.total }) },
      },
    },
    {
      name: 'ledger',
      sdl: `${link('2.7', 'key')}
        type Entry @key(fields: "id") { id: ID! note: String! seq: Int! }
        type Query { entries: [Entry!]! }
        type Mutation { record(note: String!): Entry! }`,
      resolvers: {
        Query: { entries: () => state.entries },
        Mutation: {
          record: (_: unknown, { note }: { note: string }) => {
            const entry = { id: `e${state.entries.length + 1}`, note, seq: state.entries.length + 1 };
            state.entries.push(entry);
            return entry;
          },
        },
      },
    },
  ],
  reset() {
    state.total = 0;
    state.entries = [];
  },
  scenarios: [
    {
      name: 'aliases, fragments and directives in a mutation, beside introspection',
      query: `mutation($note: String!, $again: Boolean = false) {
        first: record(note: $note) { ...Entry }
        twice: add(n: 2) @include(if: $again)
        second: record(note: "z") { ...Entry }
        __schema { mutationType { fields { name } } }
      }
      fragment Entry on Entry { number: seq total: totalThen }`,
      variables: { note: 'w' },
    },
    {
      name: 'root fields in order, with an entity fetch between them',
      query: 'mutation { a: add(n: 2) b: record(note: "x") { seq totalThen } c: add(n: 3) d: record(note: "y") { id note totalThen } }',
    },
    {
      name: 'a failing mutation between others',
      query: 'mutation($n: Int!) { add(n: $n) fail(message: "no") again: add(n: $n) record(note: "after") { totalThen } }',
      variables: { n: 5 },
    },
    { name: 'a query of what the mutations before it left', query: '{ total entries { id } }' },
    { name: 'typename of the mutation root', query: 'mutation Named { __typename add(n: 1) }', operationName: 'Named' },
  ],
  values: { 'Mutation.add(n:)': [1, 2], 'Mutation.record(note:)': ['x'], 'Mutation.fail(message:)': ['no'] },
  generator: { mutations: true },
};
