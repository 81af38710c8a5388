import { link, type Shape, type SubgraphDefinition } from '../shape.js';

/**
 * @context/@fromContext (federation 2.8): `orders` reads the user's locale
 * and name, which `users` owns, as arguments of its order fields. Stock
 * @apollo/gateway refuses the supergraph (the context feature is `for:
 * SECURITY`, which it does not support) and would ignore the plan's
 * contextRewrites anyway, so its answers come from an equivalent supergraph
 * (`plain`) in which the same fields take the values as ordinary arguments,
 * defaulting to what the context would have given.
 */
const users = [
  { id: 'u1', name: 'Ada', locale: 'en' },
  { id: 'u2', name: 'Bea', locale: 'fr' },
  { id: 'u3', name: 'Cem', locale: 'tr' },
];
const orders = [
  { id: 'o1', userId: 'u1', total: 30 },
  { id: 'o2', userId: 'u2', total: 12 },
  { id: 'o3', userId: 'u2', total: 7 },
];
const user = (id: string) => users.find((candidate) => candidate.id === id) ?? null;
const ordersOf = (userId: string) => orders.filter((order) => order.userId === userId);
const summary = (order: { id: string; total: number }, locale: string | null | undefined) => `${order.id}: ${order.total} (${locale ?? 'no locale'})`;

function ordersSubgraph(contextual: boolean): SubgraphDefinition {
  const from = (selection: string) => (contextual ? ` @fromContext(field: "$viewer { ${selection} }")` : '');
  return {
    name: 'orders',
    sdl: `${contextual ? link('2.8', 'key', 'external', 'context', 'fromContext') : link('2.8', 'key', 'external')}
      type User @key(fields: "id")${contextual ? ' @context(name: "viewer")' : ''} {
        id: ID!${contextual ? '\n        locale: String! @external\n        name: String! @external' : ''}
        orders: [Order!]!
      }
      type Order @key(fields: "id") {
        id: ID!
        total: Int!
        summary(locale: String${from('locale')}): String!
        greeting(name: String${from('name')}, punctuation: String = "!"): String!
      }`,
    resolvers: {
      User: { orders: ({ id }: { id: string }) => ordersOf(id) },
      Order: {
        __resolveReference: ({ id }: { id: string }) => orders.find((order) => order.id === id) ?? null,
        // Without the context, the equivalent takes the owner's values: every order is reached through its owner.
        summary: (order: { id: string; userId: string; total: number }, args: { locale?: string | null }) =>
          summary(order, contextual ? args.locale : (args.locale ?? user(order.userId)?.locale)),
        greeting: (order: { userId: string }, args: { name?: string | null; punctuation: string }) =>
          `Thanks, ${contextual ? args.name : (args.name ?? user(order.userId)?.name)}${args.punctuation}`,
      },
    },
  };
}

export const contextShape: Shape = {
  name: 'context',
  about: '@context on a user and @fromContext on the fields of their orders, which another subgraph owns (federation 2.8).',
  subgraphs: [
    {
      name: 'users',
      sdl: `${link('2.8', 'key')}
        type User @key(fields: "id") { id: ID! name: String! locale: String! }
        type Query { users: [User!]! user(id: ID!): User }`,
      resolvers: {
        Query: { users: () => users, user: (_: unknown, { id }: { id: string }) => user(id) },
        User: { __resolveReference: ({ id }: { id: string }) => user(id) },
      },
    },
    ordersSubgraph(true),
  ],
  variants: { plain: [ordersSubgraph(false)] },
  scenarios: [
    {
      name: 'a contextual argument from the parent user',
      query: '{ user(id: "u2") { name orders { id summary } } }',
      equivalent: { query: '{ user(id: "u2") { name orders { id summary(locale: "fr") } } }' },
    },
    {
      name: 'two contextual arguments beside an ordinary one, for every user',
      query: '{ users { id orders { greeting(punctuation: "?") summary total } } }',
    },
    {
      name: 'contextual arguments under aliases and fragments',
      query: `query($who: ID!) { one: user(id: $who) { orders { ...Words } } two: user(id: "u1") { orders { ...Words } } }
        fragment Words on Order { hello: greeting summary }`,
      variables: { who: 'u3' },
      equivalent: {
        query: `query($who: ID!) { one: user(id: $who) { orders { ...Words } } two: user(id: "u1") { orders { hello: greeting(name: "Ada") summary(locale: "en") } } }
          fragment Words on Order { hello: greeting summary }`,
        variables: { who: 'u3' },
      },
    },
  ],
  values: { 'Query.user(id:)': ['u1', 'u2', 'u9'], 'Order.greeting(punctuation:)': ['!', '.'] },
};
