import {
  Kind,
  type DirectiveNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { invalid, shorten, via, type Refusal } from './refusals.js';

/*
 * What a document selects, counted in time linear in its size (stages/limits/document-checker.ts
 * checks the counts): each fragment is summarised once and its summary added
 * once per spread, so counts are "fragments expanded" without expanding
 * anything, and saturate rather than overflow.
 */

/** Counts stop here: a fragment bomb's counts grow exponentially. */
export const SATURATED = 1_000_000_000;
export const add = (a: number, b: number): number => Math.min(a + b, SATURATED);

/** What a definition selects, its fragments expanded. */
export type Summary = {
  /** Fields, fragment spreads and inline fragments. */
  selections: number;
  aliases: number;
  directives: number;
  /** Fields at the definition's top level (a fragment's, once spread at the root), `__typename` aside. */
  rootFields: number;
  depth: number;
  introspection: boolean;
};

/** A fragment spread in a definition, `depth` fields below the definition's top level. */
export type Spread = { node: FragmentSpreadNode; depth: number };

/** A definition's own selections, before its spreads are added in. */
export type Local = { summary: Summary; spreads: Spread[] };

/**
 * Summarises every fragment reachable from `spreads`, children before
 * parents, refusing unknown fragments and cycles. Iterative: a chain of
 * thousands of fragments fits in 15,000 tokens, and must not exhaust the stack.
 */
export function summarizeFragments(
  spreads: Spread[],
  fragments: Map<string, FragmentDefinitionNode>,
  summaries: Map<string, Summary | 'visiting'>,
): Refusal | undefined {
  type Frame = { name: string; local: Local; next: number };
  const stack: Frame[] = [];
  const enter = (spread: FragmentSpreadNode): Refusal | undefined => {
    const name = spread.name.value;
    const state = summaries.get(name);
    if (state === 'visiting') {
      const path = stack.slice(stack.findIndex((frame) => frame.name === name) + 1).map((frame) => frame.name);
      return invalid(`Cannot spread fragment "${shorten(name)}" within itself${via(path)}.`, [spread]);
    }
    if (state) return undefined;
    const fragment = fragments.get(name);
    if (!fragment) return invalid(`Unknown fragment "${shorten(name)}".`, [spread]);
    summaries.set(name, 'visiting');
    stack.push({ name, local: scan(fragment.selectionSet, fragment.directives ?? []), next: 0 });
    return undefined;
  };

  for (const spread of spreads) {
    const failure = enter(spread.node);
    if (failure) return failure;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const child = frame.local.spreads[frame.next++];
      if (child) {
        const childFailure = enter(child.node);
        if (childFailure) return childFailure;
      } else {
        stack.pop();
        summaries.set(frame.name, expand(frame.local, summaries));
      }
    }
  }
  return undefined;
}

/** A definition's summary: its own selections plus, per spread, the spread fragment's summary. */
export function expand(local: Local, summaries: Map<string, Summary | 'visiting'>): Summary {
  const summary = { ...local.summary };
  // Each spread is a selection itself, already counted by scan, and stands for the fragment's.
  for (const { node, depth } of local.spreads) {
    const fragment = summaries.get(node.name.value);
    // Unreachable: summarizeFragments has summarised every spread fragment first.
    if (fragment === undefined || fragment === 'visiting') throw new Error(`Fragment ${node.name.value} not summarised`);
    summary.selections = add(summary.selections, fragment.selections);
    summary.aliases = add(summary.aliases, fragment.aliases);
    summary.directives = add(summary.directives, fragment.directives);
    if (depth === 0) summary.rootFields = add(summary.rootFields, fragment.rootFields);
    summary.depth = Math.max(summary.depth, depth + fragment.depth);
    summary.introspection ||= fragment.introspection;
  }
  return summary;
}

/** Counts one definition's own selections and lists its spreads, without following them. */
export function scan(selectionSet: SelectionSetNode, definitionDirectives: readonly DirectiveNode[]): Local {
  const summary: Summary = {
    selections: 0,
    aliases: 0,
    directives: definitionDirectives.length,
    rootFields: 0,
    depth: 0,
    introspection: false,
  };
  const spreads: Spread[] = [];
  // `depth` counts the fields enclosing a selection set; an explicit stack, as parse allows ~2,000 levels.
  const pending: { selectionSet: SelectionSetNode; depth: number }[] = [{ selectionSet, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { depth } = next;
    for (const selection of next.selectionSet.selections) {
      summary.selections++;
      summary.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (selection.alias) summary.aliases++;
        if (depth === 0 && name !== '__typename') summary.rootFields++;
        if (name === '__schema' || name === '__type') summary.introspection = true;
        summary.depth = Math.max(summary.depth, depth + 1);
        if (selection.selectionSet) pending.push({ selectionSet: selection.selectionSet, depth: depth + 1 });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        pending.push({ selectionSet: selection.selectionSet, depth });
      } else {
        spreads.push({ node: selection, depth });
      }
    }
  }
  return { summary, spreads };
}

/** A place in a result: how many fields write it, what they select, and which fragments are spread there. */
type Place = { count: number; children: Map<string, Place>; fragments?: Set<string> };

/**
 * Walks every operation with its fragments expanded, counting the pairs of
 * fields, and of distinct fragments, at the same place in a result: as
 * graphql-js does, a fragment is not compared with those it is spread
 * through (`within`). Only called once the expanded selections are known to
 * be within their limit: expanding is exponential in a fragment bomb.
 */
export function countFieldPairs(operations: OperationDefinitionNode[], fragments: Map<string, FragmentDefinitionNode>): number {
  let pairs = 0;
  for (const operation of operations) {
    const root: Place = { count: 1, children: new Map() };
    const pending = [{ selectionSet: operation.selectionSet, place: root, within: 0 }];
    for (let next = pending.pop(); next; next = pending.pop()) {
      const { place, within } = next;
      for (const selection of next.selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          const responseName = selection.alias?.value ?? selection.name.value;
          let child = place.children.get(responseName);
          if (!child) place.children.set(responseName, (child = { count: 0, children: new Map() }));
          pairs += child.count++;
          if (selection.selectionSet) pending.push({ selectionSet: selection.selectionSet, place: child, within: 0 });
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          pending.push({ selectionSet: selection.selectionSet, place, within });
        } else {
          const name = selection.name.value;
          place.fragments ??= new Set();
          if (!place.fragments.has(name)) pairs += place.fragments.size - within;
          place.fragments.add(name);
          const fragment = fragments.get(name);
          if (fragment) pending.push({ selectionSet: fragment.selectionSet, place, within: within + 1 });
        }
      }
    }
  }
  return pairs;
}
