import type { QueryPlanSelectionNode } from '@apollo/query-planner';
import { isObjectOfType } from '@apollo/gateway/dist/dataRewrites.js';
import type { GraphQLSchema } from 'graphql';

/**
 * The tree of data a request's fetches build, keyed by response name: how the
 * plan executor finds entities in it, keys and projects them into
 * representations, merges answers into it, and finds where an entity sits.
 */
export type Data = Record<string, unknown>;

/** Every non-null object at `path` below `value`; `@` steps into each element of a list. */
export function collectAtPath(value: unknown, path: readonly (string | number)[], at: number, into: Data[]): void {
  if (value === null || value === undefined) return;
  if (at === path.length) {
    if (Array.isArray(value)) for (const element of value) collectAtPath(element, path, at, into);
    else into.push(value as Data);
    return;
  }
  const step = path[at]!;
  if (step === '@') {
    if (Array.isArray(value)) for (const element of value) collectAtPath(element, path, at + 1, into);
    return;
  }
  if (Array.isArray(value)) {
    for (const element of value) collectAtPath(element, path, at, into);
    return;
  }
  collectAtPath((value as Data)[step], path, at + 1, into);
}

/**
 * What identifies an entity's representation, read straight off the entity:
 * the same text for the same representation, without building it. Undefined
 * when the entity lacks a required field (`project` gives null then).
 */
export function keyOf(schema: GraphQLSchema, source: Data, selections: readonly QueryPlanSelectionNode[]): string | undefined {
  let key = '';
  for (const selection of selections) {
    if (selection.kind === 'Field') {
      const name = selection.alias ?? selection.name;
      const value = source[name];
      if (value === undefined) return undefined;
      if (!selection.selections || value === null) key += `${name}:${typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value)},`;
      else if (Array.isArray(value)) {
        key += `${name}:[`;
        for (const element of value) key += element === null ? 'null,' : `${keyOf(schema, element as Data, selection.selections) ?? 'null'},`;
        key += '],';
      } else key += `${name}:{${keyOf(schema, value as Data, selection.selections) ?? 'null'}},`;
    } else if (selection.typeCondition && isObjectOfType(schema, source, selection.typeCondition)) {
      const fragment = keyOf(schema, source, selection.selections);
      key += fragment === undefined ? '{}' : `{${fragment}}`;
    }
  }
  return key;
}

/** An entity's representation: the fields a fetch requires of it, or null when it lacks one. */
export function project(schema: GraphQLSchema, source: Data, selections: readonly QueryPlanSelectionNode[]): Data | null {
  const result: Data = Object.create(null);
  for (const selection of selections) {
    if (selection.kind === 'Field') {
      const name = selection.alias ?? selection.name;
      const value = source[name];
      if (value === undefined) return null;
      if (!selection.selections || value === null) result[name] = value;
      else if (Array.isArray(value)) {
        const list: (Data | null)[] = new Array(value.length);
        for (let index = 0; index < value.length; index++) {
          const element = value[index] as Data | null;
          list[index] = element === null ? null : project(schema, element, selection.selections);
        }
        result[name] = list;
      }
      else result[name] = project(schema, value as Data, selection.selections);
    } else if (selection.typeCondition && isObjectOfType(schema, source, selection.typeCondition)) {
      const fragment = project(schema, source, selection.selections);
      if (fragment) mergeInto(result, fragment);
    }
  }
  return result;
}

/**
 * Merges a subgraph's answer into the response tree. An answer merged into
 * several entities is shared by them, not copied: they are the same entity
 * with the same data, and what later fetches merge into it is the same for
 * each, so merging it again changes nothing. The response writer reads each
 * place's own selection from it.
 */
export function mergeInto(target: Data, source: Data): void {
  for (const key in source) {
    const value = source[key];
    const existing = target[key];
    if (existing === value) continue;
    if (existing !== null && typeof existing === 'object' && value !== null && typeof value === 'object') {
      if (Array.isArray(existing) && Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) {
          const current = existing[index];
          const element = value[index];
          if (current !== null && typeof current === 'object' && element !== null && typeof element === 'object') mergeInto(current, element);
          else existing[index] = element;
        }
      } else mergeInto(existing as Data, value as Data);
    } else target[key] = value;
  }
}

/** Every place along a flattened path where one of `entities` sits, list positions filled in: for errors only. */
export function placesOf(root: Data, flattened: readonly (string | number)[], entities: ReadonlySet<unknown>): (string | number)[][] {
  const places: (string | number)[][] = [];
  const path: (string | number)[] = [];
  const walk = (value: unknown, at: number): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      const next = flattened[at] === '@' ? at + 1 : at;
      value.forEach((element, index) => {
        path.push(index);
        walk(element, next);
        path.pop();
      });
      return;
    }
    if (at === flattened.length) {
      if (entities.has(value)) places.push([...path]);
      return;
    }
    const step = flattened[at]!;
    if (step === '@') return;
    path.push(step);
    walk((value as Data)[step], at + 1);
    path.pop();
  };
  walk(root, 0);
  return places;
}
