import { readFile } from 'node:fs/promises';
import { printSchema as printApiSchema, Supergraph } from '@apollo/federation-internals';
import { ApolloGateway, LocalGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorize, supergraphForGateway } from '#gateway/stages/authorization/authorization.js';
import {
  anonymous,
  draft,
  dune,
  emma,
  loadSupergraph,
  policy,
  supergraphSdl,
  unauthorized,
} from '../../support/authorization-harness.js';

/**
 * The supergraph with @authenticated and @requiresScopes under @apollo/gateway:
 * loaded once Junction enforces the directives, and, through the real query
 * planner and executor, nothing unauthorized fetched from the subgraphs.
 */
beforeAll(loadSupergraph);

describe('the supergraph the gateway loads', () => {
  it('is refused by @apollo/gateway as composed, and accepted once Junction enforces the directives', async () => {
    expect(() => Supergraph.build(supergraphSdl)).toThrow(/is for: SECURITY but is unsupported/);
    const accepted = supergraphForGateway(supergraphSdl);
    const apiOf = (sdl: string) => printApiSchema(Supergraph.build(sdl, { supportedFeatures: null }).apiSchema());
    expect(apiOf(accepted)).toBe(apiOf(supergraphSdl));
    const gateway = new ApolloGateway({ supergraphSdl: accepted, logger: silent });
    try {
      const { schema } = await gateway.load();
      expect(schema.getType('Manuscript')).toBeDefined();
    } finally {
      await gateway.stop();
    }
  });
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('through the real query planner and executor', () => {
  it('fetches nothing unauthorized from any subgraph and answers as execution would', async () => {
    const resolved: string[] = [];
    const logged = <T>(name: string, value: T): T => {
      resolved.push(name);
      return value;
    };
    const typeDefs = async (name: string) =>
      parse(await readFile(new URL(`../../fixtures/authorization/${name}.graphql`, import.meta.url), 'utf8'));
    const catalog = buildSubgraphSchema({
      typeDefs: await typeDefs('catalog'),
      resolvers: {
        Query: { books: () => [dune, emma], search: () => [dune, draft] },
        Book: { price: (book: typeof dune) => logged('Book.price', book.price) },
        Manuscript: { draft: (manuscript: typeof draft) => logged('Manuscript.draft', manuscript.draft) },
        Review: { stars: (review: { stars: number }) => logged('Review.stars', review.stars) },
      },
    });
    const people = buildSubgraphSchema({
      typeDefs: await typeDefs('people'),
      resolvers: {
        Author: {
          __resolveReference: ({ id }: { id: string }) => [dune, emma].find((book) => book.author.id === id)?.author,
          email: (author: typeof dune.author) => logged('Author.email', author.email),
        },
      },
    });
    const gateway = new ApolloGateway({
      supergraphSdl: supergraphForGateway(supergraphSdl),
      buildService: ({ name }) => new LocalGraphQLDataSource(name === 'people' ? people : catalog),
      logger: silent,
    });
    const server = new ApolloServer({ gateway, logger: silent });
    await server.start();
    try {
      const query = `{
        books { title price reviews { stars } author { name email } }
        search(term: "") { ... on Manuscript { draft } }
      }`;
      const result = authorize(policy, parse(query), undefined, anonymous);
      if (result.kind !== 'filtered') throw new Error(`expected a filtered operation, got ${result.kind}`);
      const response = await server.executeOperation({ query: result.text });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      expect(resolved).toEqual([]);
      const stars = 'signing in with the "read:stars" scope';
      const email = 'signing in with the "read:email" scope';
      expect(result.apply(JSON.parse(JSON.stringify(response.body.singleResult)))).toEqual({
        data: {
          books: [
            { title: 'Dune', price: null, reviews: [null, null], author: { name: 'Frank', email: null } },
            { title: 'Emma', price: null, reviews: [null], author: { name: 'Jane', email: null } },
          ],
          search: [{}, { draft: null }],
        },
        errors: [
          ...unauthorized('UNAUTHENTICATED', 'signing in', ['books', 0, 'price']),
          ...unauthorized('UNAUTHENTICATED', stars, ['books', 0, 'reviews', 0, 'stars'], ['books', 0, 'reviews', 1, 'stars']),
          ...unauthorized('UNAUTHENTICATED', email, ['books', 0, 'author', 'email']),
          ...unauthorized('UNAUTHENTICATED', 'signing in', ['books', 1, 'price']),
          ...unauthorized('UNAUTHENTICATED', stars, ['books', 1, 'reviews', 0, 'stars']),
          ...unauthorized('UNAUTHENTICATED', email, ['books', 1, 'author', 'email']),
          ...unauthorized('UNAUTHENTICATED', 'signing in', ['search', 1, 'draft']),
        ],
      });
      // The same operation as sent does reach those resolvers: the check above is not vacuous.
      await server.executeOperation({ query });
      expect(new Set(resolved)).toEqual(new Set(['Book.price', 'Review.stars', 'Author.email', 'Manuscript.draft']));
    } finally {
      await server.stop();
    }
  });
});
