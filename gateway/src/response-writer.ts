import {
  GraphQLError,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * Writes the client's response straight from the merged subgraph data, as
 * JSON text: only the fields the operation selected, in its order, under its
 * aliases, with GraphQL's null propagation for non-null fields. It replaces
 * @apollo/gateway's computeResponse followed by JSON.stringify, which built
 * the whole response as objects first.
 *
 * The fields of each selection are collected once per runtime type and kept
 * with the operation (see `compileShape`), so a repeated operation only walks
 * its data.
 */
export type Shape = {
  schema: GraphQLSchema;
  root: GraphQLObjectType;
  fields: SelectionGroup;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  variables: Readonly<Record<string, unknown>>;
};

/** The field nodes that select one response key; its sub-fields per runtime type, collected on first use. */
type SelectionGroup = { nodes: readonly FieldNode[]; byType: Map<string, readonly CompiledField[]> };

type CompiledField = {
  responseName: string;
  /** `"name":`, escaped once. */
  key: string;
  fieldName: string;
  type: TypeShape;
  group: SelectionGroup;
};

/** A field's type, unwrapped once when the field is compiled rather than tested at every value. */
type TypeShape =
  | { nonNull: boolean; kind: 'leaf'; name: string }
  | { nonNull: boolean; kind: 'list'; name: string; item: TypeShape }
  | { nonNull: boolean; kind: 'composite'; name: string; type: GraphQLOutputType };

function shapeOf(type: GraphQLOutputType): TypeShape {
  const nonNull = isNonNullType(type);
  const inner = nonNull ? type.ofType : type;
  const name = String(inner);
  if (isLeafType(inner)) return { nonNull, kind: 'leaf', name };
  if (isListType(inner)) return { nonNull, kind: 'list', name, item: shapeOf(inner.ofType) };
  return { nonNull, kind: 'composite', name, type: inner };
}

/** Signals that a null reached a non-null position: the nearest nullable parent becomes null. */
const BUBBLE = Symbol('null bubbles up');
type Written = string | typeof BUBBLE;

/**
 * The shape of one operation for one set of @skip/@include values: reuse it
 * for every request whose `conditionKey` is the same.
 */
export function compileShape(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Readonly<Record<string, unknown>>,
): Shape {
  const root = schema.getRootType(operation.operation);
  if (!root) throw new GraphQLError(`The schema has no ${operation.operation} type.`, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  const rootNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '' }, selectionSet: operation.selectionSet } as FieldNode;
  return { schema, root, fragments, variables, fields: { nodes: [rootNode], byType: new Map() } };
}

/** The values of the variables that @skip and @include read: operations with equal keys share a shape. */
export function conditionKey(conditionVariables: readonly string[], variables: Readonly<Record<string, unknown>>): string {
  return conditionVariables.map((name) => (variables[name] === true ? '1' : '0')).join('');
}

export type WrittenResponse = {
  /** JSON text of `data`: `null` when a null reached the root. */
  data: string;
  /** Non-null fields that came back null, with where. */
  errors: GraphQLError[];
};

/**
 * `introspection` holds the already shaped values of root `__schema` and
 * `__type` fields, by response name. `escapes` is false when no string in
 * `data` can need escaping (see NO_ESCAPES in subgraph-answer.ts): strings
 * are then quoted as they are.
 */
export function writeResponse(
  shape: Shape,
  data: Record<string, unknown>,
  options: { introspection?: Readonly<Record<string, unknown>> | undefined; escapes: boolean },
): WrittenResponse {
  const writer = new Writer(shape, options.introspection, options.escapes);
  const written = writer.object(data, shape.root, shape.fields);
  return { data: written === BUBBLE ? 'null' : written, errors: writer.errors };
}

class Writer {
  readonly errors: GraphQLError[] = [];
  private readonly path: (string | number)[] = [];

  constructor(
    private readonly shape: Shape,
    private readonly introspection: Readonly<Record<string, unknown>> | undefined,
    private readonly escapes: boolean,
  ) {}

  object(value: Record<string, unknown>, type: GraphQLObjectType, group: SelectionGroup): Written {
    const fields = this.fieldsOf(group, type);
    const atRoot = type === this.shape.root && group === this.shape.fields;
    let out = '{';
    for (let index = 0; index < fields.length; index++) {
      const field = fields[index]!;
      let text: Written;
      if (field.fieldName === '__typename') text = `"${type.name}"`;
      else if (atRoot && (field.fieldName === '__schema' || field.fieldName === '__type')) {
        text = JSON.stringify(this.introspection?.[field.responseName] ?? null);
      } else {
        this.path.push(field.responseName);
        text = this.value(value[field.responseName], field.type, field, type);
        this.path.pop();
        if (text === BUBBLE) return BUBBLE;
      }
      out += index === 0 ? field.key + text : `,${field.key}${text}`;
    }
    return `${out}}`;
  }

  private value(value: unknown, type: TypeShape, field: CompiledField, parent: GraphQLObjectType): Written {
    if (value === null || value === undefined) {
      if (!type.nonNull) return 'null';
      const last = this.path[this.path.length - 1];
      const where = typeof last === 'number' ? `array element of type ${type.name} at index ${last}` : `field ${parent.name}.${field.fieldName}`;
      this.errors.push(new GraphQLError(`Cannot return null for non-nullable ${where}.`, { path: [...this.path], extensions: { code: 'INVALID_GRAPHQL' } }));
      return BUBBLE;
    }
    let written: Written;
    if (type.kind === 'leaf') return typeof value === 'string' && !this.escapes ? `"${value}"` : leaf(value);
    if (type.kind === 'list') written = Array.isArray(value) ? this.list(value, type.item, field, parent) : 'null';
    else {
      const runtime = this.runtimeType(value as Record<string, unknown>, type.type);
      written = runtime ? this.object(value as Record<string, unknown>, runtime, field.group) : 'null';
    }
    return written === BUBBLE && !type.nonNull ? 'null' : written;
  }

  private list(values: readonly unknown[], itemType: TypeShape, field: CompiledField, parent: GraphQLObjectType): Written {
    let out = '[';
    for (let index = 0; index < values.length; index++) {
      this.path.push(index);
      const text = this.value(values[index], itemType, field, parent);
      this.path.pop();
      if (text === BUBBLE) return BUBBLE;
      out += index === 0 ? text : `,${text}`;
    }
    return `${out}]`;
  }

  /** The object type of a value: its `__typename` for interfaces and unions (the planner always fetches it). */
  private runtimeType(value: Record<string, unknown>, type: GraphQLOutputType): GraphQLObjectType | undefined {
    if (isObjectType(type) && (value.__typename === undefined || value.__typename === type.name)) return type;
    const named = typeof value.__typename === 'string' ? this.shape.schema.getType(value.__typename) : undefined;
    if (!isObjectType(named)) return undefined;
    return isAbstractType(type) && !this.shape.schema.isSubType(type, named) ? undefined : named;
  }

  private fieldsOf(group: SelectionGroup, type: GraphQLObjectType): readonly CompiledField[] {
    let fields = group.byType.get(type.name);
    if (!fields) {
      fields = this.collect(group, type);
      group.byType.set(type.name, fields);
    }
    return fields;
  }

  /** graphql-js's CollectFields: response keys in first-seen order, fragments applied by type condition. */
  private collect(group: SelectionGroup, type: GraphQLObjectType): readonly CompiledField[] {
    const byKey = new Map<string, FieldNode[]>();
    const visited = new Set<string>();
    const visit = (selectionSet: SelectionSetNode) => {
      for (const selection of selectionSet.selections) {
        if (!this.included(selection.directives)) continue;
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          const nodes = byKey.get(key);
          if (nodes) nodes.push(selection);
          else byKey.set(key, [selection]);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (this.applies(selection.typeCondition?.name.value, type)) visit(selection.selectionSet);
        } else {
          const name = selection.name.value;
          const fragment = this.shape.fragments[name];
          if (visited.has(name) || !fragment) continue;
          visited.add(name);
          if (this.applies(fragment.typeCondition.name.value, type)) visit(fragment.selectionSet);
        }
      }
    };
    for (const node of group.nodes) if (node.selectionSet) visit(node.selectionSet);

    const fields: CompiledField[] = [];
    for (const [responseName, nodes] of byKey) {
      const fieldName = nodes[0]!.name.value;
      const definition = type.getFields()[fieldName];
      // __typename, __schema and __type are not among the type's fields; the writer answers them itself.
      const fieldType = definition?.type ?? type;
      fields.push({ responseName, key: `${JSON.stringify(responseName)}:`, fieldName, type: shapeOf(fieldType), group: { nodes, byType: new Map() } });
    }
    return fields;
  }

  private applies(condition: string | undefined, type: GraphQLObjectType): boolean {
    if (!condition || condition === type.name) return true;
    const conditionType = this.shape.schema.getType(condition);
    return !!conditionType && isAbstractType(conditionType) && this.shape.schema.isSubType(conditionType, type);
  }

  private included(directives: FieldNode['directives']): boolean {
    for (const directive of directives ?? []) {
      const name = directive.name.value;
      if (name !== 'skip' && name !== 'include') continue;
      const argument = directive.arguments?.find((each) => each.name.value === 'if');
      const value = argument ? this.condition(argument.value) : false;
      if (name === 'skip' ? value : !value) return false;
    }
    return true;
  }

  private condition(node: ValueNode): boolean {
    if (node.kind === Kind.BOOLEAN) return node.value;
    if (node.kind === Kind.VARIABLE) return this.shape.variables[node.name.value] === true;
    return false;
  }
}

/** What JSON.stringify escapes: quotes, backslashes, control characters, and surrogates (lone ones become \u escapes). */
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

function leaf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      // Most strings need no escaping: quoting them joins the text without copying it.
      return NEEDS_ESCAPING.test(value) ? JSON.stringify(value) : `"${value}"`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    default:
      // Custom scalars may carry any JSON value.
      return JSON.stringify(value) ?? 'null';
  }
}
