import { Kind, type DirectiveNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * Whether a selection set asks for anything once @skip and @include are
 * applied: a field other than `__typename` kept by its conditions and, if it
 * has selections, asking for something there too. For empty plans
 * (operation-planner.ts): a root field that asks for nothing was not left
 * unanswered. `variables` undefined: a condition on a variable keeps
 * (what may be asked); given: it is read.
 */
export function keptBy(directives: readonly DirectiveNode[] | undefined, variables?: Readonly<Record<string, unknown>>): boolean {
  if (!directives) return true;
  for (const directive of directives) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const condition = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
    let value: boolean;
    if (condition?.kind === Kind.BOOLEAN) value = condition.value;
    else if (condition?.kind === Kind.VARIABLE && variables) value = variables[condition.name.value] === true;
    else continue;
    if (name === 'skip' ? value : !value) return false;
  }
  return true;
}

/** Each field of a selection set that its conditions (and its fragments') keep, through fragments, each fragment once. */
export function eachKeptField(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Readonly<Record<string, unknown>> | undefined,
  each: (field: FieldNode) => void,
  seen: Set<string> = new Set(),
): void {
  for (const selection of selectionSet.selections) {
    if (!keptBy(selection.directives, variables)) continue;
    if (selection.kind === Kind.FIELD) each(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) eachKeptField(selection.selectionSet, fragments, variables, each, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) eachKeptField(fragment.selectionSet, fragments, variables, each, seen);
    }
  }
}

/** Nesting past this is taken to ask for something: the operation's depth is bounded long before (stages/limits/document-checker.ts). */
const MAX_DEPTH = 64;

export function asksSomething(
  field: FieldNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Readonly<Record<string, unknown>> | undefined,
  depth = 0,
): boolean {
  if (!field.selectionSet) return field.name.value !== '__typename';
  if (depth > MAX_DEPTH) return true;
  let found = false;
  eachKeptField(field.selectionSet, fragments, variables, (child) => {
    found ||= asksSomething(child, fragments, variables, depth + 1);
  });
  return found;
}
