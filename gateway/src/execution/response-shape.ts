import {
  GraphQLError,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  visit,
  type DocumentNode,
} from 'graphql';
import { leafOf, type Leaf } from './leaf-values.js';
import { keptBy } from './selection-conditions.js';

/**
 * The shape of one operation as the response writer (response-writer.ts)
 * walks it: the fields of each selection collected once per runtime type, as
 * graphql-js's CollectFields collects them, with each field's type unwrapped
 * and each leaf's check chosen then, so a repeated operation only walks its data.
 */
export type Shape = {
  schema: GraphQLSchema;
  root: GraphQLObjectType;
  fields: SelectionGroup;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  variables: Readonly<Record<string, unknown>>;
  /** Aliases the gateway gave the client's fields, to the client's response names (operation-planner.ts). */
  renames: ReadonlyMap<string, string> | undefined;
};

/** The field nodes that select one response key; its sub-fields per runtime type, collected on first use. */
export type SelectionGroup = { nodes: readonly FieldNode[]; byType: Map<string, readonly CompiledField[]> };

export type CompiledField = {
  /** The client's response name: written, and in error paths. */
  responseName: string;
  /** Where the value is in the merged data: the response name the plan fetched it under. */
  source: string;
  /** `"name":`, escaped once. */
  key: string;
  /** The key as the first of an object's (`{"name":`) and as any other (`,"name":`): one string fewer to make per field written. */
  opening: string;
  following: string;
  fieldName: string;
  /** What answers it: a subgraph's value, or the gateway itself for `__typename`, `__schema` and `__type`. */
  answer: 'value' | 'typename' | 'introspection';
  /** The field's type, for a value. */
  type: TypeShape | undefined;
  /** The type named in error messages, as stock names it: the innermost fragment's type condition, or the runtime type. */
  parent: string;
  group: SelectionGroup;
};

/** A field's type, unwrapped once when the field is compiled rather than tested at every value. */
export type TypeShape =
  | { nonNull: boolean; kind: 'leaf'; name: string; leaf: Leaf }
  | { nonNull: boolean; kind: 'list'; name: string; item: TypeShape }
  | { nonNull: boolean; kind: 'composite'; name: string; type: GraphQLCompositeType };

function shapeOf(type: GraphQLOutputType): TypeShape {
  const nonNull = isNonNullType(type);
  const inner = nonNull ? type.ofType : type;
  const name = String(inner);
  if (isLeafType(inner)) return { nonNull, kind: 'leaf', name, leaf: leafOf(inner) };
  if (isListType(inner)) return { nonNull, kind: 'list', name, item: shapeOf(inner.ofType) };
  return { nonNull, kind: 'composite', name, type: inner };
}

/**
 * The runtime type of an object: an object type, or an abstract type when
 * its `__typename` names one or is missing (`known` false: fragments then
 * apply as stock applies them, see `collect`).
 */
export type Runtime = { type: GraphQLCompositeType; known: boolean };

/**
 * The shape of one operation for one set of @skip/@include values: reuse it
 * for every request whose `conditionKey` is the same.
 */
export function compileShape(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Readonly<Record<string, unknown>>,
  renames?: ReadonlyMap<string, string>,
): Shape {
  const root = schema.getRootType(operation.operation);
  if (!root) throw new GraphQLError(`The schema has no ${operation.operation} type.`, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  const rootNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '' }, selectionSet: operation.selectionSet } as FieldNode;
  return { schema, root, fragments, variables, renames, fields: { nodes: [rootNode], byType: new Map() } };
}

/** The values of the variables that @skip and @include read: operations with equal keys share a shape. */
export function conditionKey(conditionVariables: readonly string[], variables: Readonly<Record<string, unknown>>): string {
  return conditionVariables.map((name) => (variables[name] === true ? '1' : '0')).join('');
}

/** The fields of a selection for a value of `runtime` type: collected on first use, then kept in the shape. */
export function fieldsOf(shape: Shape, group: SelectionGroup, runtime: Runtime): readonly CompiledField[] {
  const key = runtime.known ? runtime.type.name : `${runtime.type.name}?`;
  let fields = group.byType.get(key);
  if (!fields) {
    fields = collect(shape, group, runtime);
    group.byType.set(key, fields);
  }
  return fields;
}

/**
 * graphql-js's CollectFields: response keys in first-seen order, fragments
 * applied by type condition. A fragment applies when its type condition is
 * the runtime type or one of its supertypes; when the runtime type is not
 * known (no `__typename`), stock tests each fragment against the type of the
 * fragment it sits in, and so does this.
 */
function collect(shape: Shape, group: SelectionGroup, runtime: Runtime): readonly CompiledField[] {
  const byKey = new Map<string, { nodes: FieldNode[]; parent: string }>();
  const visited = new Set<string>();
  const visit = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType) => {
    for (const selection of selectionSet.selections) {
      if (!keptBy(selection.directives, shape.variables)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const existing = byKey.get(key);
        if (existing) existing.nodes.push(selection);
        else byKey.set(key, { nodes: [selection], parent: parent.name });
        continue;
      }
      let condition: string | undefined;
      let selections: SelectionSetNode;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        condition = selection.typeCondition?.name.value;
        selections = selection.selectionSet;
      } else {
        const name = selection.name.value;
        const fragment = shape.fragments[name];
        if (visited.has(name) || !fragment) continue;
        visited.add(name);
        condition = fragment.typeCondition.name.value;
        selections = fragment.selectionSet;
      }
      const conditionType = condition === undefined ? parent : shape.schema.getType(condition);
      if (!conditionType || !isCompositeType(conditionType)) continue;
      if (applies(shape.schema, conditionType, runtime.known ? runtime.type : parent)) visit(selections, conditionType);
    }
  };
  for (const node of group.nodes) if (node.selectionSet) visit(node.selectionSet, runtime.type);

  const definitions = isObjectType(runtime.type) || isInterfaceType(runtime.type) ? runtime.type.getFields() : {};
  const fields: CompiledField[] = [];
  for (const [source, { nodes, parent }] of byKey) {
    const fieldName = nodes[0]!.name.value;
    const responseName = shape.renames?.get(source) ?? source;
    const key = `${JSON.stringify(responseName)}:`;
    const compiled = { responseName, source, key, opening: `{${key}`, following: `,${key}`, fieldName, parent, group: { nodes, byType: new Map() } };
    if (fieldName === '__typename') fields.push({ ...compiled, answer: 'typename', type: undefined });
    else if (fieldName === '__schema' || fieldName === '__type') fields.push({ ...compiled, answer: 'introspection', type: undefined });
    else {
      const definition = definitions[fieldName];
      // Validation saw to it that every field selected where its fragment applies is the runtime type's.
      if (definition) fields.push({ ...compiled, answer: 'value', type: shapeOf(definition.type) });
    }
  }
  return fields;
}

/** Whether a fragment on `condition` applies to a value of `type`: the same type, or a supertype of it. */
function applies(schema: GraphQLSchema, condition: GraphQLCompositeType, type: GraphQLCompositeType): boolean {
  if (condition === type) return true;
  return isAbstractType(condition) && (isObjectType(type) || isInterfaceType(type)) && schema.isSubType(condition, type);
}

/** Names of the variables any @skip or @include of the document reads. */
export function conditionVariablesOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Directive(node) {
      if (node.name.value !== 'skip' && node.name.value !== 'include') return;
      for (const argument of node.arguments ?? []) if (argument.value.kind === Kind.VARIABLE) names.add(argument.value.name.value);
    },
  });
  return [...names].sort();
}
