import {
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { AuthorizationPolicy, Requirement } from './authorization-policy.js';

/**
 * Added wherever a selection set lost something: it keeps the set non-empty and
 * tells the response walk which type answered (fragments on abstract types).
 */
export const TYPENAME_ALIAS = '__junction_typename';

const TYPENAME_FIELD: FieldNode = {
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: TYPENAME_ALIAS },
  name: { kind: Kind.NAME, value: '__typename' },
};

/** An operation with the selections the caller may not make taken out. */
export type FilteredOperation = {
  /** The operation and fragments as sent; the response walk follows them. */
  readonly operation: OperationDefinitionNode;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly schema: GraphQLSchema;
  readonly rootType: GraphQLObjectType;
  /** Fields (nodes of the document as sent) taken out, each with the requirement the caller does not meet. */
  readonly removed: ReadonlyMap<FieldNode, Requirement>;
  /** Fields kept whose selections lost something further down. */
  readonly touched: ReadonlySet<FieldNode>;
  /** What to execute instead; null when nothing is left. */
  readonly document: DocumentNode | null;
};

type FragmentOutcome = 'unchanged' | 'empty' | FragmentDefinitionNode;

/**
 * Takes out every field whose requirement `isDenied`, in one walk that
 * allocates nothing until something is taken out. Undefined when nothing is:
 * run the operation as sent (also when the operation cannot be found: execution
 * reports that). Named fragments are filtered once: what a field requires
 * depends only on the type it is selected on, never on where a fragment is spread.
 */
export function filterOperation(
  policy: AuthorizationPolicy,
  document: DocumentNode,
  operationName: string | null | undefined,
  isDenied: (requirement: Requirement) => boolean,
): FilteredOperation | undefined {
  const operation = selectOperation(document, operationName);
  const rootType = operation && policy.apiSchema.getRootType(operation.operation);
  if (!operation || !rootType) return undefined;

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const removed = new Map<FieldNode, Requirement>();
  const touched = new Set<FieldNode>();
  const outcomes = new Map<string, FragmentOutcome>();

  /** The selections left, or undefined when nothing changed. */
  function selections(set: SelectionSetNode, parent: GraphQLCompositeType): SelectionNode[] | undefined {
    if (!policy.guarded.has(parent.name)) return undefined;
    let kept: SelectionNode[] | undefined;
    set.selections.forEach((selection, index) => {
      const outcome = filterSelection(selection, parent);
      if (outcome === undefined) {
        kept?.push(selection);
        return;
      }
      kept ??= set.selections.slice(0, index);
      if (outcome !== null) kept.push(outcome);
    });
    return kept;
  }

  /** Undefined: unchanged; null: taken out; otherwise what replaces it. */
  function filterSelection(selection: SelectionNode, parent: GraphQLCompositeType): SelectionNode | null | undefined {
    switch (selection.kind) {
      case Kind.FIELD: {
        const name = selection.name.value;
        // __typename and introspection are never protected.
        if (name.startsWith('__') || (!isObjectType(parent) && !isInterfaceType(parent))) return undefined;
        const definition = parent.getFields()[name];
        if (!definition) return undefined;
        const requirement = policy.requirements.get(parent.name)?.get(name);
        if (requirement && isDenied(requirement)) {
          removed.set(selection, requirement);
          return null;
        }
        const type = getNamedType(definition.type);
        if (!selection.selectionSet || !isCompositeType(type)) return undefined;
        const kept = selections(selection.selectionSet, type);
        if (kept === undefined) return undefined;
        touched.add(selection);
        return { ...selection, selectionSet: selectionSet([...kept, TYPENAME_FIELD]) };
      }
      case Kind.INLINE_FRAGMENT: {
        const condition = selection.typeCondition
          ? policy.apiSchema.getType(selection.typeCondition.name.value)
          : parent;
        if (!isCompositeType(condition)) return undefined;
        const kept = selections(selection.selectionSet, condition);
        if (kept === undefined) return undefined;
        return kept.length === 0 ? null : { ...selection, selectionSet: selectionSet(kept) };
      }
      case Kind.FRAGMENT_SPREAD: {
        const outcome = filterFragment(selection.name.value);
        // The spread stays as it is, but what it brings changed.
        return outcome === 'unchanged' ? undefined : outcome === 'empty' ? null : selection;
      }
    }
  }

  function filterFragment(name: string): FragmentOutcome {
    const known = outcomes.get(name);
    if (known) return known;
    outcomes.set(name, 'unchanged'); // a cycle (invalid anyway) ends here
    const definition = fragments.get(name);
    const condition = definition && policy.apiSchema.getType(definition.typeCondition.name.value);
    if (!definition || !isCompositeType(condition)) return 'unchanged';
    const kept = selections(definition.selectionSet, condition);
    const outcome: FragmentOutcome =
      kept === undefined ? 'unchanged' : kept.length === 0 ? 'empty' : { ...definition, selectionSet: selectionSet(kept) };
    outcomes.set(name, outcome);
    return outcome;
  }

  const kept = selections(operation.selectionSet, rootType);
  if (kept === undefined) return undefined;
  const plan = { operation, fragments, schema: policy.apiSchema, rootType, removed, touched };
  if (kept.length === 0) return { ...plan, document: null };

  const filtered: OperationDefinitionNode = { ...operation, selectionSet: selectionSet(kept) };
  const current = (name: string) => {
    const outcome = outcomes.get(name);
    return outcome === undefined || outcome === 'unchanged' ? fragments.get(name) : outcome === 'empty' ? undefined : outcome;
  };
  const used = usedFragments(filtered, current);
  const definitions = [...fragments.keys()].flatMap((name) => used.get(name) ?? []);
  const variables = usedVariables(filtered, definitions);
  return {
    ...plan,
    document: {
      kind: Kind.DOCUMENT,
      definitions: [
        {
          ...filtered,
          variableDefinitions: operation.variableDefinitions?.filter((v) => variables.has(v.variable.name.value)),
        },
        ...definitions,
      ],
    },
  };
}

function selectOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operationName) return operations.length === 1 ? operations[0] : undefined;
  return operations.find((operation) => operation.name?.value === operationName);
}

function selectionSet(selections: readonly SelectionNode[]): SelectionSetNode {
  return { kind: Kind.SELECTION_SET, selections };
}

/**
 * The fragments the filtered operation still spreads: the others are left out (graphql validation rejects unused fragments), as are
 * the operation's siblings, which may spread fragments that are now gone.
 */
function usedFragments(
  operation: OperationDefinitionNode,
  current: (name: string) => FragmentDefinitionNode | undefined,
): Map<string, FragmentDefinitionNode> {
  const used = new Map<string, FragmentDefinitionNode>();
  const pending = [operation.selectionSet];
  for (let set = pending.pop(); set; set = pending.pop()) {
    visit(set, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const definition = used.has(name) ? undefined : current(name);
        if (!definition) return;
        used.set(name, definition);
        pending.push(definition.selectionSet);
      },
    });
  }
  return used;
}

/** Variables still referenced: a variable only a removed field used must go (NoUnusedVariables). */
function usedVariables(operation: OperationDefinitionNode, fragments: readonly FragmentDefinitionNode[]): Set<string> {
  const used = new Set<string>();
  const visitor = { Variable: (node: { name: { value: string } }) => void used.add(node.name.value) };
  visit(operation.selectionSet, visitor);
  for (const directive of operation.directives ?? []) visit(directive, visitor);
  for (const fragment of fragments) visit(fragment, visitor);
  return used;
}
