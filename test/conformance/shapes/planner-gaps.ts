import { link, type Shape } from '../shape.js';

/**
 * Shapes where the query planner (stock's and so Junction's) makes a plan
 * that cannot answer: from the public federation gateway audit's keys-mashup
 * and non-resolvable-interface-object cases. Junction must say so with a
 * coded error at the fields concerned; stock leaves them null without one.
 */

const as = [
  { id: '1', pId: 'p1', compositeId: { one: 'o1', two: 't1', three: 'h1' }, name: 'a.1' },
  { id: '2', pId: 'p2', compositeId: { one: 'o2', two: 't2', three: 'h2' }, name: 'a.2' },
];
const compositeKey = ({ one, two }: { one: string; two: string }) => as.find((a) => a.compositeId.one === one && a.compositeId.two === two);

/**
 * `b` declares A's `id` key but can resolve A only by its composite key; to
 * feed `nameInB` its `@requires(fields: "name")`, the planner still sends `b`
 * the `id` key, which `b` cannot resolve: the field stays null.
 */
export const keysMashupShape: Shape = {
  name: 'keys-mashup',
  about: 'An entity with several keys, one of them not resolvable where a @requires needs it.',
  subgraphs: [
    {
      name: 'a',
      sdl: `${link('2.7', 'key', 'shareable')}
        type A @key(fields: "id") @key(fields: "pId compositeId { one two }") { id: ID! pId: ID! compositeId: CompositeID! name: String! }
        type CompositeID @shareable { one: ID! two: ID! three: ID! }
        type Query { as: [A!]! }`,
      resolvers: {
        Query: { as: () => as },
        A: {
          __resolveReference: (reference: { id?: string; pId?: string; compositeId?: { one: string; two: string } }) =>
            reference.id !== undefined ? (as.find((a) => a.id === reference.id) ?? null) : reference.compositeId ? (compositeKey(reference.compositeId) ?? null) : null,
        },
      },
    },
    {
      name: 'b',
      sdl: `${link('2.7', 'key', 'external', 'requires', 'shareable')}
        type B @key(fields: "id") { id: ID! a: [A!]! }
        type A @key(fields: "id", resolvable: false) @key(fields: "compositeId { one two }") {
          id: ID!
          compositeId: CompositeID! @external
          name: String! @external
          nameInB: String! @requires(fields: "name")
        }
        type CompositeID @shareable { one: ID! @external two: ID! @external }
        type Query { b: B }`,
      resolvers: {
        Query: { b: () => ({ id: '100', a: [{ id: '1' }] }) },
        B: { __resolveReference: ({ id }: { id: string }) => (id === '100' ? { id, a: [{ id: '1' }] } : null) },
        A: {
          // By the composite key only: `b` has no way to find an A by its id.
          __resolveReference: (reference: { compositeId?: { one: string; two: string }; name?: string }) => {
            const found = reference.compositeId ? compositeKey(reference.compositeId) : undefined;
            return found ? { ...reference, id: found.id } : null;
          },
          nameInB: (a: { name: string }) => `b.a.nameInB ${a.name}`,
        },
      },
    },
  ],
  scenarios: [
    {
      name: 'the field the unsent fetch was for, skipped by the request: no error',
      query: 'query($skip: Boolean!) { b { a { name } a @skip(if: $skip) { nameInB } } }',
      variables: { skip: true },
    },
    { name: "a @requires through a key the subgraph cannot resolve (the audit's case)", query: '{ b { id a { id name nameInB } } }' },
    { name: 'the same entities without the @requires', query: '{ b { id a { id name } } as { id compositeId { one two three } } }' },
    { name: 'the entities from their owner', query: '{ as { id pId name } }' },
  ],
  values: {},
};

/**
 * `a` owns the interface entity Node (no object type of its own) and refers to
 * Product through a non-resolvable @interfaceObject; `b` owns Product and adds
 * `field` to Node through a non-resolvable @interfaceObject. Some fields of
 * `a`'s Node then have no subgraph that can resolve them: the planner gives an
 * empty plan, or a plan without them.
 */
export const nonResolvableInterfaceObjectShape: Shape = {
  name: 'non-resolvable-interface-object',
  about: 'Interface entities reached only through non-resolvable @interfaceObject keys.',
  subgraphs: [
    {
      name: 'a',
      sdl: `${link('2.7', 'key', 'interfaceObject')}
        interface Node @key(fields: "id") { id: ID! }
        type Product @key(fields: "id", resolvable: false) @interfaceObject { id: ID! }
        type Query { a: Node product: Product }`,
      resolvers: {
        Query: { a: () => ({ id: 'n1' }), product: () => ({ id: 'p1' }) },
        Node: { __resolveType: () => 'Node' },
      },
    },
    {
      name: 'b',
      sdl: `${link('2.7', 'key', 'interfaceObject')}
        type Node @key(fields: "id", resolvable: false) @interfaceObject { id: ID! field: String! }
        interface Product @key(fields: "id") { id: ID! name: String! }
        type Bread implements Product @key(fields: "id") { id: ID! name: String! }
        type Query { b: Node }`,
      resolvers: {
        Query: { b: () => ({ id: 'n1', field: 'foo' }) },
        Product: { __resolveReference: ({ id }: { id: string }) => (id === 'p1' ? { __typename: 'Bread', id, name: 'Baguette' } : null), __resolveType: () => 'Bread' },
        Bread: { __resolveReference: ({ id }: { id: string }) => (id === 'p1' ? { id, name: 'Baguette' } : null) },
      },
    },
  ],
  scenarios: [
    {
      name: 'a field no subgraph can resolve, skipped by the request: no error',
      query: 'query($skip: Boolean!) { a @skip(if: $skip) { field } b { id } }',
      variables: { skip: true },
    },
    { name: 'the interface object where it is declared', query: '{ b { id field } }' },
    { name: 'a field no subgraph can resolve, alone: an empty plan', query: '{ a { field } }' },
    { name: 'a field no subgraph can resolve beside one that can', query: '{ a { id field } b { id } }' },
    { name: 'a field no subgraph can resolve, aliased', query: '{ aliasedA: a { id aliasedField: field } }' },
    { name: 'the entity through the non-resolvable interface object, its key alone', query: '{ product { id } }' },
    { name: 'the entity through the non-resolvable interface object, and more', query: '{ product { id name } }' },
    { name: 'the entity narrowed to its type', query: '{ product { ... on Bread { id } } }' },
  ],
  values: {},
};
