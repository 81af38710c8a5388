import { link, type Shape } from '../shape.js';

/**
 * Entities whose key is null and entities that resolve to null: `catalog`
 * lists books, some without an ISBN (the key `shelves` knows them by) and
 * some by authors `people` does not know; `shelves` does not know every
 * ISBN either.
 */
const books = [
  { id: 'k1', isbn: '111', title: 'Dune', authorId: 'au1' },
  { id: 'k2', isbn: null, title: 'Emma', authorId: 'au2' },
  { id: 'k3', isbn: '333', title: 'Ghost', authorId: 'au9' },
  { id: 'k4', isbn: '444', title: 'Lost', authorId: null },
];
const authors = [
  { id: 'au1', name: 'Frank' },
  { id: 'au2', name: 'Jane' },
];
const shelves: Record<string, { shelf: string; floor: number }> = { '111': { shelf: 'A1', floor: 1 }, '333': { shelf: 'C3', floor: 2 } };

export const nullKeysShape: Shape = {
  name: 'null-keys',
  about: 'Entity references with a null key field, and entities the owning subgraph resolves to null.',
  subgraphs: [
    {
      name: 'catalog',
      sdl: `${link('2.7', 'key', 'shareable')}
        type Book @key(fields: "id") { id: ID! isbn: String @shareable title: String! author: Author }
        type Author @key(fields: "id", resolvable: false) { id: ID! }
        type Query { books: [Book!]! book(id: ID!): Book }`,
      resolvers: {
        Query: { books: () => books, book: (_: unknown, { id }: { id: string }) => books.find((book) => book.id === id) ?? null },
        Book: {
          __resolveReference: ({ id }: { id: string }) => books.find((book) => book.id === id) ?? null,
          author: (book: { authorId: string | null }) => (book.authorId ? { id: book.authorId } : null),
        },
      },
    },
    {
      name: 'shelves',
      sdl: `${link('2.7', 'key')}
        type Book @key(fields: "isbn") { isbn: String! shelf: String! floor: Int }`,
      resolvers: {
        Book: {
          __resolveReference: ({ isbn }: { isbn: string | null }) => (isbn !== null && shelves[isbn] ? { isbn, ...shelves[isbn] } : null),
        },
      },
    },
    {
      name: 'people',
      sdl: `${link('2.7', 'key')}
        type Author @key(fields: "id") { id: ID! name: String! books: [Book!]! }
        type Book @key(fields: "id", resolvable: false) { id: ID! }`,
      resolvers: {
        Author: {
          __resolveReference: ({ id }: { id: string }) => authors.find((author) => author.id === id) ?? null,
          books: ({ id }: { id: string }) => books.filter((book) => book.authorId === id).map((book) => ({ id: book.id })),
        },
      },
    },
  ],
  scenarios: [
    {
      name: 'completion errors under @skip that stock drops (found by a generated operation)',
      query: 'query($no: Boolean!) { books @skip(if: $no) { shelf } books { author { name } } }',
      variables: { no: false },
    },
    {
      name: 'aliases, directives and variables beside introspection',
      query: `query($id: ID!, $shelf: Boolean = true) {
        first: book(id: $id) { ...Where writer: author { name } }
        second: book(id: "k3") { ...Where }
        __schema { queryType { fields { name } } }
      }
      fragment Where on Book { code: isbn floor @include(if: $shelf) }`,
      variables: { id: 'k1' },
    },
    { name: 'a nullable field of books with and without their key', query: '{ books { id isbn floor } }' },
    { name: 'a non-null field of books with and without their key', query: '{ books { title shelf } }' },
    { name: 'authors that do not exist', query: '{ books { title author { id name } } }' },
    { name: 'from an author back to the books and their shelves', query: '{ book(id: "k1") { author { name books { title isbn floor } } } }' },
    { name: 'a book without a key, alone', query: 'query($id: ID!) { book(id: $id) { title floor shelf } }', variables: { id: 'k2' } },
  ],
  values: { 'Query.book(id:)': ['k1', 'k2', 'k3', 'k9'] },
};
