import {
  Kind,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { keptBy } from '../selection-conditions.js';
import { activeDefer } from './defer-directive.js';

/** One step from the root to a deferred fragment: a field (its name, and the response name the plan fetched it under), or a type condition. */
export type Step = { field: string; key: string } | { on: string };

/** A fragment delivered in a payload of its own, and where. */
export type DeferredFragment = {
  /** The gateway's label (defer-directive.ts): the plan's deferred block for it carries it. */
  id: string;
  /** The fragment it is nested in, delivered before it; undefined under the initial payload. */
  parent: string | undefined;
  /** Every way to reach it from the root (a named fragment spread at several places is reached by several). */
  paths: Step[][];
  /** Its selections, without the fragments deferred inside it: what its payload holds. */
  selectionSet: SelectionSetNode;
};

/**
 * An operation split for incremental delivery, for one set of variables:
 * the initial payload is the operation without its deferred fragments, and
 * each deferred fragment's payload is its own selections at its paths. Each
 * part is written by the response writer as a plain answer is, so merging
 * them gives the operation's answer without `@defer`.
 */
export type DeferLayout = {
  /** The operation without its deferred fragments. */
  primary: OperationDefinitionNode;
  /** The fragment definitions without theirs. */
  fragments: Record<string, FragmentDefinitionNode>;
  /** In document order: a parent before the fragments nested in it. */
  deferred: DeferredFragment[];
};

export function deferLayout(
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Readonly<Record<string, unknown>>,
): DeferLayout {
  const strip = (set: SelectionSetNode): SelectionSetNode => {
    const selections: SelectionNode[] = [];
    for (const selection of set.selections) {
      if (selection.kind !== Kind.FIELD && activeDefer(selection.directives, variables)) continue;
      if (selection.kind === Kind.FRAGMENT_SPREAD || !selection.selectionSet) selections.push(selection);
      else selections.push({ ...selection, selectionSet: strip(selection.selectionSet) });
    }
    return { ...set, selections };
  };
  const stripped: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const [name, fragment] of Object.entries(fragments)) stripped[name] = { ...fragment, selectionSet: strip(fragment.selectionSet) };

  const byId = new Map<string, DeferredFragment>();
  const walk = (set: SelectionSetNode, steps: Step[], parent: string | undefined, spreads: readonly string[]): void => {
    for (const selection of set.selections) {
      if (!keptBy(selection.directives, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        if (selection.selectionSet) walk(selection.selectionSet, [...steps, { field: selection.name.value, key: selection.alias?.value ?? selection.name.value }], parent, spreads);
        continue;
      }
      let inner: SelectionSetNode;
      let condition: string | undefined;
      let through = spreads;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = selection.selectionSet;
        condition = selection.typeCondition?.name.value;
      } else {
        const fragment = fragments[selection.name.value];
        // Validation refuses cycles; a spread inside itself is not followed all the same.
        if (!fragment || spreads.includes(selection.name.value)) continue;
        inner = fragment.selectionSet;
        condition = fragment.typeCondition.name.value;
        through = [...spreads, selection.name.value];
      }
      const at = condition === undefined ? steps : [...steps, { on: condition }];
      const id = activeDefer(selection.directives, variables);
      if (id) {
        let deferred = byId.get(id);
        if (!deferred) byId.set(id, (deferred = { id, parent, paths: [], selectionSet: strip(inner) }));
        deferred.paths.push(at);
      }
      walk(inner, at, id ?? parent, through);
    }
  };
  walk(operation.selectionSet, [], undefined, []);
  return { primary: { ...operation, selectionSet: strip(operation.selectionSet) }, fragments: stripped, deferred: [...byId.values()] };
}
