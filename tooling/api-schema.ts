import { printSchema as printFederationSchema, Supergraph } from '@apollo/federation-internals';
import { buildSchema, printSchema, type GraphQLSchema } from 'graphql';

/**
 * The API schema of a supergraph: what clients are served (no federation
 * directives, no join__ types, no @inaccessible elements), as a graphql-js
 * schema. Throws when the SDL is not a valid Federation 2 supergraph.
 */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  // supportedFeatures null: @authenticated/@requiresScopes (for: SECURITY) are the gateway's
  // business; they do not change which types and fields clients see.
  const api = Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema();
  return buildSchema(printFederationSchema(api));
}

/** The API schema's SDL, as graphql-js prints it (stable, diff-friendly). */
export function apiSdlOf(supergraphSdl: string): string {
  return `${printSchema(apiSchemaOf(supergraphSdl)).trimEnd()}\n`;
}
