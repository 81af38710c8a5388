import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * One `generates` entry per subgraph: its SDL in `schema/` becomes the resolver
 * types in `subgraphs/<name>/src/__generated__/`. Mappers make resolvers for an
 * entity receive the subgraph's own row type, not the GraphQL shape.
 */
const subgraphs: Record<string, Record<string, string>> = {
  accounts: { User: '../db/schema.js#UserRow' },
  products: { Product: '../db/schema.js#ProductRow' },
  inventory: { Product: '../mappers.js#StockedProduct' },
  reviews: {
    Review: '../db/schema.js#ReviewRow',
    User: '../mappers.js#UserRef',
    Product: '../mappers.js#ProductRef',
  },
};

const config: CodegenConfig = {
  overwrite: true,
  generates: Object.fromEntries(
    Object.entries(subgraphs).map(([name, mappers]) => [
      `subgraphs/${name}/src/__generated__/resolvers-types.ts`,
      {
        schema: `schema/${name}.graphql`,
        plugins: ['typescript', 'typescript-resolvers'],
        config: {
          federation: true,
          useIndexSignature: true,
          useTypeImports: true,
          contextType: '../context.js#Context',
          mappers,
          scalars: { DateTime: 'Date', ID: { input: 'string', output: 'string | number' } },
          enumsAsTypes: true,
          avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        },
      },
    ]),
  ),
};

export default config;
