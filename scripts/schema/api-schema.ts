import { printSchema as printFederationSchema, Supergraph } from '@apollo/federation-internals';
import { buildSchema, printSchema, type GraphQLSchema } from 'graphql';

/**
 * A version of the supergraph as governance sees it: the API schema clients
 * are served (no federation directives, no join__ types, no @inaccessible
 * elements), and the supergraph SDL it came from, for the federation-aware
 * rules (keys, @requires, @provides, which subgraph resolves what).
 */
export type SchemaVersion = { apiSdl: string; supergraphSdl: string };

/** The API schema's SDL, as graphql-js prints it (stable, diff-friendly). */
export function apiSdlOf(supergraphSdl: string): string {
  // supportedFeatures null: @authenticated/@requiresScopes (for: SECURITY) are the gateway's
  // business; they do not change which types and fields clients see.
  const api = Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema();
  return `${printSchema(buildSchema(printFederationSchema(api))).trimEnd()}\n`;
}

export function schemaVersionOf(supergraphSdl: string): SchemaVersion {
  return { apiSdl: apiSdlOf(supergraphSdl), supergraphSdl };
}

/** The API schema as a graphql-js schema, for diffs and validation. */
export function buildApiSchema(version: SchemaVersion): GraphQLSchema {
  return buildSchema(version.apiSdl);
}
