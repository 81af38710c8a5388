import { buildApiSchema, type SchemaVersion } from './api-schema.js';
import { findChangesBeyondGraphqlJs } from './changes-beyond-graphql-js.js';
import { findFederationChanges } from './federation-changes.js';
import { findGraphqlJsChanges } from './graphql-js-changes.js';
import { SEVERITIES, type SchemaChange } from './schema-change.js';

export { SEVERITIES, type SchemaChange, type Severity } from './schema-change.js';

/**
 * Every change from the published version to the proposed one: graphql-js's
 * breaking and dangerous changes, the safe ones and deprecations it leaves
 * out, and the federation-aware ones. Ordered by severity, then coordinate.
 */
export function findSchemaChanges(published: SchemaVersion, proposed: SchemaVersion): SchemaChange[] {
  const [before, after] = [buildApiSchema(published), buildApiSchema(proposed)];
  const graphqlJs = findGraphqlJsChanges(before, after);
  const reported = new Set(graphqlJs.map((found) => found.coordinate));
  const changes = [
    ...graphqlJs,
    ...findChangesBeyondGraphqlJs(before, after, reported),
    ...findFederationChanges(published.supergraphSdl, proposed.supergraphSdl),
  ];
  const rank = (found: SchemaChange) => SEVERITIES.indexOf(found.severity);
  return changes.sort((a, b) => rank(a) - rank(b) || a.coordinate.localeCompare(b.coordinate) || a.message.localeCompare(b.message));
}
