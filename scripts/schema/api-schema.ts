import { buildSchema, type GraphQLSchema } from 'graphql';
import { apiSdlOf } from '#tooling/api-schema.js';

export { apiSdlOf };

/**
 * A version of the supergraph as governance sees it: the API schema clients
 * are served (no federation directives, no join__ types, no @inaccessible
 * elements), and the supergraph SDL it came from, for the federation-aware
 * rules (keys, @requires, @provides, which subgraph resolves what).
 */
export type SchemaVersion = { apiSdl: string; supergraphSdl: string };

export function schemaVersionOf(supergraphSdl: string): SchemaVersion {
  return { apiSdl: apiSdlOf(supergraphSdl), supergraphSdl };
}

/** The API schema as a graphql-js schema, for diffs and validation. */
export function buildApiSchema(version: SchemaVersion): GraphQLSchema {
  return buildSchema(version.apiSdl);
}
