import { Kind, parse, print, visit, type ArgumentNode, type DirectiveNode, type FieldNode, type FragmentDefinitionNode, type SelectionNode } from 'graphql';

/**
 * An operation with `@defer` put on its fragments, for the property that
 * merging the parts gives the answer without `@defer` (defer.test.ts): every
 * inline fragment and fragment spread is deferred, and each
 * field's selections but the first are wrapped in a deferred inline fragment
 * (so nesting and lists get deferred fragments too). Labels alternate with
 * none. Not under introspection fields (answered by graphql-js, not planned)
 * nor in mutations (a mutation's root fields run in order, not deferred).
 * Undefined when nothing could be deferred.
 */
export function withDefers(query: string): string | undefined {
  const document = parse(query);
  if (document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.operation !== 'query')) return undefined;
  let count = 0;
  const defer = (): DirectiveNode => {
    const index = count++;
    const label: ArgumentNode[] = index % 2 === 0 ? [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'label' }, value: { kind: Kind.STRING, value: `d${index}` } }] : [];
    return { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: 'defer' }, arguments: label };
  };
  const deferred = (directives: readonly DirectiveNode[] | undefined) => [...(directives ?? []), defer()];
  let introspection = 0;
  const onIntrospection = (fragment: FragmentDefinitionNode) => fragment.typeCondition.name.value.startsWith('__');
  const result = visit(document, {
    FragmentDefinition: {
      enter: (fragment) => void (onIntrospection(fragment) && introspection++),
      leave: (fragment) => void (onIntrospection(fragment) && introspection--),
    },
    Field: {
      enter(field) {
        if (field.name.value.startsWith('__')) introspection++;
      },
      leave(field: FieldNode): FieldNode {
        if (field.name.value.startsWith('__')) introspection--;
        const selections = field.selectionSet?.selections;
        if (introspection > 0 || !selections || selections.length < 2) return field;
        const [first, ...rest] = selections as [SelectionNode, ...SelectionNode[]];
        const wrapped: SelectionNode = { kind: Kind.INLINE_FRAGMENT, directives: [defer()], selectionSet: { kind: Kind.SELECTION_SET, selections: rest } };
        return { ...field, selectionSet: { kind: Kind.SELECTION_SET, selections: [first, wrapped] } };
      },
    },
    InlineFragment(fragment) {
      if (introspection > 0 || fragment.directives?.some((directive) => directive.name.value === 'defer')) return undefined;
      return { ...fragment, directives: deferred(fragment.directives) };
    },
    FragmentSpread(spread) {
      if (introspection > 0) return undefined;
      return { ...spread, directives: deferred(spread.directives) };
    },
  });
  return count > 0 ? print(result) : undefined;
}
