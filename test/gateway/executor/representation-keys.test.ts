import type { QueryPlanSelectionNode } from '@apollo/query-planner';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { RepresentationKeys } from '#gateway/execution/representation-keys.js';
import { project, type Data } from '#gateway/execution/response-tree.js';

/**
 * Which entities of an entity fetch share one representation
 * (representation-keys.ts): two entities may share an index only when their
 * representations are the same, and the same representation read again finds
 * its index. Checked here against `project`, the representation itself, on
 * generated entities (a representation that is not sent, lacking its
 * `__typename`, may be found under several); through real subgraphs by test/gateway/executor and
 * the conformance suite.
 */
const schema = buildSchema(`
  interface Node { id: ID! }
  type User implements Node { id: ID! org: Org tags: [String] meta: JSON }
  type Product implements Node { id: ID! upc: String sku: Int }
  type Org { id: ID! }
  scalar JSON
  type Query { node: Node }
`);
const field = (name: string, selections?: QueryPlanSelectionNode[]): QueryPlanSelectionNode =>
  ({ kind: 'Field', name, ...(selections ? { selections } : {}) }) as QueryPlanSelectionNode;
const on = (typeCondition: string, selections: QueryPlanSelectionNode[]): QueryPlanSelectionNode =>
  ({ kind: 'InlineFragment', typeCondition, selections }) as QueryPlanSelectionNode;

const REQUIRES: Record<string, QueryPlanSelectionNode[]> = {
  'one type': [on('User', [field('__typename'), field('id')])],
  'two types': [on('User', [field('__typename'), field('id')]), on('Product', [field('__typename'), field('upc'), field('sku')])],
  'nested key': [on('User', [field('__typename'), field('id'), field('org', [field('id')])])],
  'lists and JSON': [on('User', [field('__typename'), field('tags'), field('meta')])],
  'outside a fragment': [field('__typename'), field('id')],
};

/** A small pool of values, so that entities often share them: strings and numbers that print alike, nulls, missing ones. */
function entity(random: () => number): Data {
  const pick = <T>(values: T[]): T => values[Math.floor(random() * values.length)]!;
  const data: Data = { __typename: pick(['User', 'Product', 'Org', undefined]) };
  for (const [name, values] of Object.entries({
    id: ['1', 1, '2', null, undefined],
    upc: ['1', 'a', null, undefined],
    sku: [1, 2, '1', null, undefined],
    org: [{ id: '1' }, { id: 1 }, { id: '2' }, {}, null, undefined],
    tags: [['a'], ['a', 'b'], [], null, ['a', null]],
    meta: [{ a: 1 }, { a: '1' }, 'a', null, undefined],
  } as Record<string, unknown[]>)) {
    const value = pick(values);
    if (value !== undefined) data[name] = value;
  }
  return data;
}

function seeded(seed: number): () => number {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

describe('representation keys', () => {
  it.each(Object.entries(REQUIRES))('%s: one index per distinct representation, never one for two', (name, requires) => {
    const nested = name === 'nested key';
    const random = seeded(7);
    const keys = new RepresentationKeys();
    const byIndex = new Map<number, string>();
    const indexOf = new Map<string, number>();
    let next = 0;
    for (let count = 0; count < 3_000; count++) {
      const source = entity(random);
      const representation = project(schema, source, requires);
      const text = JSON.stringify(representation);
      const found = keys.lookup(schema, source, requires);
      if (found === null) {
        // Lacking a field the fetch requires outside any fragment: project has nothing either.
        expect(representation).toBeNull();
        continue;
      }
      // As fetchEntities has it: only a representation with its __typename is sent; the others are remembered as -1.
      const sent = representation !== null && typeof representation.__typename === 'string';
      if (found === undefined) {
        if (sent) {
          // Nested keys: an object lacking its key (`org: {}`) projects to null, as `org: null` does, but is keyed apart, as before.
          if (!nested) expect(indexOf.has(text), `a representation seen before was not found: ${text}`).toBe(false);
          byIndex.set(next, text);
          if (!indexOf.has(text)) indexOf.set(text, next);
        }
        keys.remember(sent ? next++ : -1);
      } else if (found === -1) expect(sent).toBe(false);
      else expect(byIndex.get(found)).toBe(text);
      // Asked again, the same entity finds the same index.
      const again = keys.lookup(schema, { ...source }, requires);
      expect(again === -1 ? !sent : byIndex.get(again!) === text).toBe(true);
    }
    expect(next).toBeGreaterThan(3);
  });

  it('a string and a number that print alike are two representations', () => {
    const requires = REQUIRES['one type']!;
    const keys = new RepresentationKeys();
    expect(keys.lookup(schema, { __typename: 'User', id: '1' }, requires)).toBeUndefined();
    keys.remember(0);
    expect(keys.lookup(schema, { __typename: 'User', id: 1 }, requires)).toBeUndefined();
    keys.remember(1);
    expect(keys.lookup(schema, { __typename: 'User', id: '1', other: true }, requires)).toBe(0);
    expect(keys.lookup(schema, { __typename: 'User', id: 1 }, requires)).toBe(1);
  });

  it('representations keyed as text (input rewrites) are apart from those read off entities', () => {
    const keys = new RepresentationKeys();
    expect(keys.lookupText('{"__typename":"User","id":"1"}')).toBeUndefined();
    keys.remember(0);
    expect(keys.lookup(schema, { __typename: 'User', id: '1' }, REQUIRES['one type']!)).toBeUndefined();
    keys.remember(1);
    expect(keys.lookupText('{"__typename":"User","id":"1"}')).toBe(0);
  });
});
