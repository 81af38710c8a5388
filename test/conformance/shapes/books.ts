import { print } from 'graphql';
import { books, borrowed, stockSubgraphs } from '../../support/library.js';
import type { Shape } from '../shape.js';

/** The library of test/support/library.ts (catalog and people, without its misbehaving shelf). */
export const booksShape: Shape = {
  name: 'books',
  about: 'Books in one subgraph, their authors in another: the simplest entity join, and a mutation.',
  subgraphs: Object.entries(stockSubgraphs).map(([name, { typeDefs, resolvers }]) => ({ name, sdl: print(typeDefs), resolvers })),
  reset() {
    borrowed.length = 0;
  },
  scenarios: [
    { name: 'every book with its author', query: '{ books { isbn title author { id name } } }' },
    {
      name: 'a book by variable, through a fragment, beside one that does not exist',
      query: `query Book($isbn: ID!) { first: book(isbn: $isbn) { ...Titled author { name } } missing: book(isbn: "0") { title } }
        fragment Titled on Book { title __typename }`,
      variables: { isbn: books[2]!.isbn },
    },
    {
      name: 'borrowing in order, one book unknown',
      query: `mutation { one: borrow(isbn: "${books[0]!.isbn}") { title author { name } } two: borrow(isbn: "nope") { title } three: borrow(isbn: "${books[1]!.isbn}") { isbn } }`,
    },
    {
      name: 'introspection with fragments beside data',
      query: `{ books { title } __schema { queryType { ...Type } types { ...Type } } __type(name: "Book") { fields { name type { ...Type ofType { ...Type } } } } }
        fragment Type on __Type { name kind }`,
    },
    {
      name: 'introspection stock does not have',
      query: `{ __schema { directives(includeDeprecated: true) { name isDeprecated deprecationReason } } __type(name: "Book") { isOneOf } }`,
    },
    {
      name: 'skip and include on variables with defaults',
      query: `query($authors: Boolean = true, $titles: Boolean!) { books { isbn @skip(if: $titles) title @include(if: $titles) author @include(if: $authors) { name } } }`,
      variables: { titles: true },
    },
  ],
  values: {
    'Query.book(isbn:)': [...books.map((book) => book.isbn), 'nope'],
    'Mutation.borrow(isbn:)': [books[0]!.isbn, 'nope'],
  },
  generator: { mutations: true },
};
