import { GraphQLError } from 'graphql';
import { link, type Shape } from '../shape.js';

/**
 * An interface entity (@key on the interface) owned by `accounts`, extended by
 * `billing` as a resolvable @interfaceObject and referenced by `audit` through
 * a non-resolvable one: `billing` and `audit` answer `__typename: "Account"`,
 * which the gateway must resolve to Admin or Customer through `accounts` (or
 * not need at all).
 */
type Account = { id: string; kind: 'Admin' | 'Customer'; name: string; role?: string; tier?: number };
const accounts: Account[] = [
  { id: 'a1', kind: 'Admin', name: 'Ada', role: 'OWNER' },
  { id: 'a2', kind: 'Customer', name: 'Bob', tier: 2 },
  { id: 'a3', kind: 'Customer', name: 'Cy', tier: 1 },
  { id: 'a4', kind: 'Admin', name: 'Di', role: 'EDITOR' },
];
// a4 has no balance (billing resolves it to null); a9 has one but is no account (accounts resolves it to null).
const balances: Record<string, number> = { a1: 120, a2: 45, a3: -5, a9: 1 };
const invoices = [
  { number: 'i1', amount: 30, accountId: 'a2' },
  { number: 'i2', amount: 70, accountId: 'a1' },
  { number: 'i3', amount: 5, accountId: 'a9' },
];
const events = [
  { id: 'e1', kind: 'login', accountId: 'a1' },
  { id: 'e2', kind: 'payment', accountId: 'a9' },
  { id: 'e3', kind: 'logout', accountId: null },
  { id: 'e4', kind: 'login', accountId: 'a3' },
];

const accountRow = (id: string) => {
  const account = accounts.find((candidate) => candidate.id === id);
  return account ? { __typename: account.kind, ...account } : null;
};

export const interfaceObjectsShape: Shape = {
  name: 'interface-objects',
  about: 'An interface entity extended by a resolvable @interfaceObject and referenced by a non-resolvable one.',
  subgraphs: [
    {
      name: 'accounts',
      sdl: `${link('2.7', 'key')}
        interface Account @key(fields: "id") { id: ID! name: String! }
        type Admin implements Account @key(fields: "id") { id: ID! name: String! role: Role! }
        type Customer implements Account @key(fields: "id") { id: ID! name: String! tier: Int! }
        enum Role { OWNER EDITOR }
        type Query { accounts: [Account!]! account(id: ID!): Account }`,
      resolvers: {
        Query: { accounts: () => accounts.map((account) => accountRow(account.id)), account: (_: unknown, { id }: { id: string }) => accountRow(id) },
        Account: {
          __resolveReference: ({ id }: { id: string }) => accountRow(id),
          __resolveType: (account: Account) => account.kind,
        },
        Admin: { __resolveReference: ({ id }: { id: string }) => accountRow(id) },
        Customer: { __resolveReference: ({ id }: { id: string }) => accountRow(id) },
      },
    },
    {
      name: 'billing',
      sdl: `${link('2.7', 'key', 'interfaceObject')}
        type Account @key(fields: "id") @interfaceObject { id: ID! balance: Int! invoices: [Invoice!]! }
        type Invoice { number: String! amount: Int! account: Account! }
        type Query { richest: Account topAccounts(first: Int = 2): [Account!]! invoice(number: String!): Invoice }`,
      resolvers: {
        Query: {
          richest: () => ({ id: 'a1' }),
          topAccounts: (_: unknown, { first }: { first: number }) =>
            Object.entries(balances)
              .sort(([, a], [, b]) => b - a)
              .slice(0, first)
              .map(([id]) => ({ id })),
          invoice: (_: unknown, { number }: { number: string }) => invoices.find((invoice) => invoice.number === number) ?? null,
        },
        Account: {
          __resolveReference: ({ id }: { id: string }) => (id in balances ? { id } : null),
          balance: ({ id }: { id: string }) => balances[id],
          invoices: ({ id }: { id: string }) => invoices.filter((invoice) => invoice.accountId === id),
        },
        Invoice: { account: (invoice: { accountId: string }) => ({ id: invoice.accountId }) },
      },
    },
    {
      name: 'audit',
      sdl: `${link('2.7', 'key', 'interfaceObject')}
        type Account @key(fields: "id", resolvable: false) @interfaceObject { id: ID! }
        type Event { id: ID! kind: String! account: Account }
        type Query { events: [Event!]! }`,
      resolvers: {
        Query: { events: () => events },
        Event: {
          account: (event: { id: string; accountId: string | null }) => {
            if (event.id === 'e3') throw new GraphQLError('The account of e3 was erased.', { extensions: { code: 'NOT_FOUND' } });
            return event.accountId ? { id: event.accountId } : null;
          },
        },
      },
    },
  ],
  scenarios: [
    {
      name: 'aliases, directives and variables beside introspection',
      query: `query($id: ID!, $billing: Boolean!) {
        who: account(id: $id) { kind: __typename ...Money @include(if: $billing) ... on Admin { role } }
        __type(name: "Account") { kind possibleTypes { name } fields { name } }
        top: topAccounts(first: 2) { ...Money }
      }
      fragment Money on Account { owed: balance }`,
      variables: { id: 'a1', billing: true },
    },
    { name: 'the interface object alone: id and its own fields', query: '{ richest { id balance } }' },
    { name: 'the interface object and __typename', query: '{ richest { __typename id } topAccounts { __typename id balance } }' },
    {
      name: 'the interface object, narrowed by type',
      query: '{ topAccounts(first: 4) { id name ... on Admin { role } ... on Customer { tier } } }',
    },
    { name: 'an interface entity list joined to its interface object', query: '{ accounts { __typename id name balance } }' },
    { name: 'interface objects deep in a value type', query: '{ invoice(number: "i1") { amount account { id name balance invoices { number } } } }' },
    { name: 'an interface object that is no account', query: '{ invoice(number: "i3") { amount account { __typename id name } } }' },
    {
      name: 'a non-resolvable interface object, with and without more than its key',
      query: '{ events { id kind account { id } } more: events { account { __typename id ... on Customer { tier } } } }',
    },
    {
      name: 'a non-resolvable interface object narrowed to a member, by an alias of its key',
      query: '{ events { account { ... { ...F0 } } } } fragment F0 on Customer { a: id }',
    },
    {
      name: "a client alias named as the key the planner adds and renames back (its output rewrite)",
      query: '{ accounts { id: name ... on Admin { invoices @skip(if: true) { amount } } } }',
    },
    { name: 'an account by id with inline fragments on the interface and its members', query: '{ account(id: "a2") { ... on Account { balance } ... on Customer { tier invoices { amount } } } }' },
  ],
  values: {
    'Query.account(id:)': ['a1', 'a2', 'a4', 'a9'],
    'Query.topAccounts(first:)': [1, 4],
    'Query.invoice(number:)': ['i1', 'i3', 'i9'],
  },
};
