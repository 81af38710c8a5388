import {
  Kind,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * An operation cut in two at its root: the `__schema` and `__type` fields,
 * which graphql-js answers from the API schema, and everything else, which
 * the query planner plans. Each half is a document of its own with the
 * fragments it reaches, so the planner never reads an introspection
 * selection (its schema model knows only some of `__Type`'s fields, not
 * `isOneOf`, say) and graphql-js sees every fragment the client's
 * introspection selections spread.
 */
export type SplitOperation = {
  /** The root introspection fields alone; absent when the operation has none. */
  introspection?: DocumentNode;
  /** The rest; absent when the operation is only introspection (and `__typename`). */
  plannable?: DocumentNode;
};

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

export function splitIntrospection(document: DocumentNode, operation: OperationDefinitionNode): SplitOperation {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const introspection = rootSelections(operation.selectionSet, fragments, true, new Set());
  if (!introspection) return { plannable: document };
  const rest = rootSelections(operation.selectionSet, fragments, false, new Set());
  return {
    introspection: withFragments({ ...operation, selectionSet: introspection }, fragments),
    ...(rest && !onlyTypename(rest) ? { plannable: withFragments({ ...operation, selectionSet: rest }, fragments) } : {}),
  };
}

/**
 * The root selections that are (`introspective`) or are not root
 * introspection fields. Fragments on the root type become inline fragments
 * around what they keep, with the spread's directives, so @skip and @include
 * apply as in the whole operation.
 */
function rootSelections(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  introspective: boolean,
  visited: ReadonlySet<string>,
): SelectionSetNode | undefined {
  const selections = selectionSet.selections.flatMap((selection): SelectionNode[] => {
    if (selection.kind === Kind.FIELD) return INTROSPECTION_ROOTS.has(selection.name.value) === introspective ? [selection] : [];
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const inner = rootSelections(selection.selectionSet, fragments, introspective, visited);
      return inner ? [{ ...selection, selectionSet: inner }] : [];
    }
    const fragment = fragments.get(selection.name.value);
    if (!fragment || visited.has(fragment.name.value)) return [];
    const inner = rootSelections(fragment.selectionSet, fragments, introspective, new Set([...visited, fragment.name.value]));
    if (!inner) return [];
    const inline: InlineFragmentNode = {
      kind: Kind.INLINE_FRAGMENT,
      typeCondition: fragment.typeCondition,
      ...(selection.directives ? { directives: selection.directives } : {}),
      selectionSet: inner,
    };
    return [inline];
  });
  return selections.length > 0 ? { kind: Kind.SELECTION_SET, selections } : undefined;
}

/** Whether a root selection asks nothing of any subgraph: `__typename` is the gateway's to answer. */
function onlyTypename(selectionSet: SelectionSetNode): boolean {
  return selectionSet.selections.every((selection) =>
    selection.kind === Kind.FIELD ? selection.name.value === '__typename' : selection.kind === Kind.INLINE_FRAGMENT && onlyTypename(selection.selectionSet),
  );
}

/** A document of the operation and the fragments it spreads, directly or through other fragments. */
function withFragments(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): DocumentNode {
  const reached = new Map<string, FragmentDefinitionNode>();
  const pending: DefinitionNode[] = [operation];
  while (pending.length > 0) {
    visit(pending.pop()!, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments.get(name);
        if (fragment && !reached.has(name)) {
          reached.set(name, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return { kind: Kind.DOCUMENT, definitions: [operation, ...reached.values()] };
}
