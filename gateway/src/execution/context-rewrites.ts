import type { FetchDataKeyRenamer } from '@apollo/query-planner';
import { isObjectOfType } from '@apollo/gateway/dist/dataRewrites.js';
import type { GraphQLSchema } from 'graphql';
import type { Data } from './response-tree.js';

/**
 * `@fromContext` (Federation 2.8): an argument whose value the gateway reads
 * from an ancestor of the entity being fetched. The plan's `contextRewrites`
 * say where, relative to the entity: `..` goes up one field, `... on T` goes
 * on only if the object there is a T, and field names go down; the first
 * rewrite that finds a value for a variable gives it. Stock @apollo/gateway
 * ignores them (and refuses such supergraphs); this follows Apollo Router
 * (`apollo-router/src/query_planner/subgraph_context.rs`), except that
 * entities whose values differ are sent in one fetch per distinct set of
 * values instead of one aliased fetch.
 */
export const CONTEXT_FEATURE = 'https://specs.apollo.dev/context/v0.1';

export type ContextGroup = {
  /** The contextual arguments' values, by variable name; a variable no rewrite found a value for is left out. */
  values: Record<string, unknown>;
  entities: Data[];
};

/** The entities at `path` (absolute, with `@` for lists), grouped by the values their context gives. */
export function contextGroups(
  schema: GraphQLSchema,
  root: Data,
  path: readonly (string | number)[],
  rewrites: readonly FetchDataKeyRenamer[],
  /** The entities the fetch is for: the others at the path are left out. */
  only: ReadonlySet<Data>,
): ContextGroup[] {
  const groups = new Map<string, ContextGroup>();
  const seen = new Set<Data>();
  const chain: Data[] = [root];
  // Every entity at the path, with the objects above it, one per field of the path.
  const walk = (value: unknown, at: number): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      const next = path[at] === '@' ? at + 1 : at;
      for (const element of value) walk(element, next);
      return;
    }
    const object = value as Data;
    if (at < path.length) {
      const step = path[at]!;
      if (step === '@') return;
      chain.push(object);
      walk(object[step], at + 1);
      chain.pop();
      return;
    }
    if (seen.has(object) || !only.has(object)) return;
    seen.add(object);
    const values = contextValues(schema, [...chain, object], rewrites);
    const key = JSON.stringify(values);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { values, entities: [] }));
    group.entities.push(object);
  };
  // The root is not one of the path's fields: start below it.
  const first = path[0];
  if (first === undefined || first === '@') return [];
  walk(root[first], 1);
  return [...groups.values()];
}

/** The values of the rewrites' variables for the entity last in `chain` (the objects from the root down to it, one per field). */
function contextValues(schema: GraphQLSchema, chain: readonly Data[], rewrites: readonly FetchDataKeyRenamer[]): Record<string, unknown> {
  const values: Record<string, unknown> = Object.create(null);
  for (const rewrite of rewrites) {
    if (rewrite.renameKeyTo in values) continue;
    const value = valueAt(schema, chain, rewrite.path);
    if (value !== undefined) values[rewrite.renameKeyTo] = value;
  }
  return values;
}

function valueAt(schema: GraphQLSchema, chain: readonly Data[], path: readonly string[]): unknown {
  let up = 0;
  while (path[up] === '..') up++;
  let current: unknown = chain[chain.length - 1 - up];
  for (let index = up; index < path.length; index++) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    const step = path[index]!;
    if (step.startsWith('... on ')) {
      if (!isObjectOfType(schema, current as Data, step.slice('... on '.length))) return undefined;
    } else current = (current as Data)[step];
  }
  return current;
}
