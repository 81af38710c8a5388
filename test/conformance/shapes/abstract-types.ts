import { link, type Shape } from '../shape.js';

/**
 * An interface and two unions whose members are spread over two subgraphs:
 * `media` knows books and movies, `extras` knows podcasts and rates all
 * three; each subgraph's `Result` union has other members.
 */
const media = [
  { __typename: 'Book', id: 'b1', title: 'Dune', pages: 600 },
  { __typename: 'Movie', id: 'm1', title: 'Alien', minutes: 117 },
  { __typename: 'Book', id: 'b2', title: 'Emma', pages: 474 },
];
const podcasts = [{ __typename: 'Podcast', id: 'p1', title: 'Talks', episodes: 12 }];
const ratings: Record<string, number | null> = { b1: 5, m1: null, b2: 3, p1: 4 };
const mediaById = (id: string) => media.find((item) => item.id === id) ?? null;

export const abstractTypesShape: Shape = {
  name: 'abstract-types',
  about: 'Interfaces and unions whose members live in different subgraphs, each subgraph knowing only some of them.',
  subgraphs: [
    {
      name: 'media',
      sdl: `${link('2.7', 'key', 'shareable')}
        interface Media { id: ID! title: String! }
        type Book implements Media @key(fields: "id") { id: ID! title: String! pages: Int! }
        type Movie implements Media @key(fields: "id") { id: ID! title: String! minutes: Int! }
        union Result = Book | Movie
        type Query { media: [Media!]! search(term: String!): [Result!]! item(id: ID!): Media }`,
      resolvers: {
        Query: {
          media: () => media,
          search: (_: unknown, { term }: { term: string }) => media.filter((item) => item.title.toLowerCase().includes(term)),
          item: (_: unknown, { id }: { id: string }) => mediaById(id),
        },
        Book: { __resolveReference: ({ id }: { id: string }) => mediaById(id) },
        Movie: { __resolveReference: ({ id }: { id: string }) => mediaById(id) },
      },
    },
    {
      name: 'extras',
      sdl: `${link('2.7', 'key')}
        interface Media { id: ID! rating: Int }
        type Book implements Media @key(fields: "id") { id: ID! rating: Int }
        type Movie implements Media @key(fields: "id") { id: ID! rating: Int }
        type Podcast implements Media @key(fields: "id") { id: ID! title: String! rating: Int episodes: Int! }
        union Result = Book | Podcast
        type Query { recommended: [Media]! trending: [Result!]! }`,
      resolvers: {
        Query: {
          // m9 is no medium at all: media resolves it to null, so its title (String!) cannot be completed.
          recommended: () => [{ __typename: 'Podcast', id: 'p1' }, { __typename: 'Book', id: 'b2' }, { __typename: 'Movie', id: 'm1' }, { __typename: 'Movie', id: 'm9' }],
          trending: () => [{ __typename: 'Book', id: 'b1' }, podcasts[0]],
        },
        Book: { rating: ({ id }: { id: string }) => ratings[id] ?? null },
        Movie: { rating: ({ id }: { id: string }) => ratings[id] ?? null },
        Podcast: {
          __resolveReference: ({ id }: { id: string }) => podcasts.find((podcast) => podcast.id === id) ?? null,
          rating: ({ id }: { id: string }) => ratings[id] ?? null,
        },
      },
    },
  ],
  scenarios: [
    {
      name: "a subgraph's error under the planner's alias of a client's field, at the client's name (found by a generated operation)",
      query: 'query($no: Boolean!) { recommended { ... { ...Film ...Show } title } } fragment Film on Movie { title @skip(if: $no) } fragment Show on Podcast { id: episodes title }',
      variables: { no: false },
    },
    {
      name: 'aliases, directives and variables beside introspection',
      query: `query($term: String!, $pages: Boolean = false) {
        found: search(term: $term) { ... on Book { label: title pages @include(if: $pages) } ... on Movie { label: title } }
        media: __type(name: "Media") { possibleTypes { name } }
        result: __type(name: "Result") { possibleTypes { name } }
        recommended { ...Rated }
      }
      fragment Rated on Media { stars: rating ... on Podcast { episodes } }`,
      variables: { term: 'e', pages: true },
    },
    { name: 'an interface list of one subgraph, with fields of the other', query: '{ media { __typename id title rating ... on Book { pages } ... on Movie { minutes } } }' },
    { name: 'an interface list whose members live in both subgraphs', query: '{ recommended { id title rating ... on Podcast { episodes } ... on Book { pages } } }' },
    { name: 'without __typename anywhere', query: '{ recommended { title } media { id } }' },
    {
      name: 'unions with other members in each subgraph',
      query: `{ search(term: "e") { ...Parts } trending { ...Parts } }
        fragment Parts on Result { __typename ... on Book { title rating } ... on Movie { title } ... on Podcast { title episodes } }`,
    },
    { name: 'an interface fragment inside a union', query: '{ trending { ... on Media { id rating } ... on Book { title } } }' },
    { name: 'a single interface field by id', query: 'query($id: ID!) { item(id: $id) { title ... on Movie { minutes rating } } }', variables: { id: 'm1' } },
  ],
  values: {
    'Query.search(term:)': ['e', 'dune', 'zzz'],
    'Query.item(id:)': ['b1', 'm1', 'x9'],
  },
};
