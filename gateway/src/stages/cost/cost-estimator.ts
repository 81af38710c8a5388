import {
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { actualCost } from './actual-cost.js';
import { argumentCost } from './argument-cost.js';
import { costSchema, type CostField, type CostSchema, type ListSize } from './cost-schema.js';
import { isSkipped, variableReader, type VariableValue } from './operation-variables.js';

/** What mutations cost before their fields, as Apollo Router counts them. */
const MUTATION_COST = 10;

export type CostEstimatorOptions = {
  /** COST_LIST_SIZE: the size assumed for a list that `@listSize` says nothing about. */
  listSize: number;
};

export type Variables = Readonly<Record<string, unknown>>;

/** An operation's estimated cost, or why it cannot have one; with the variables the answer depended on. */
export type CostEstimate =
  | { ok: true; cost: number; variables: readonly string[] }
  | { ok: false; code: 'COST_INVALID_SLICING_ARGUMENTS'; message: string; variables: readonly string[] };

/**
 * Static cost analysis over one supergraph (IBM's GraphQL cost specification,
 * with Federation's `@cost` and `@listSize`), computed the way Apollo Router's
 * demand control computes it:
 * - a field costs its `@cost` weight plus its arguments' once (never below 0),
 *   plus, per instance it returns, its type's weight (an object, interface or
 *   union 1, a scalar or an enum 0, unless `@cost` says) and its selections';
 * - a list returns as many instances as its slicing argument says (literal or
 *   variable, the largest if several, a list argument's length), else its
 *   `assumedSize`, else COST_LIST_SIZE; a `sizedFields` child of a connection
 *   takes its parent's size; a field with `requireOneSlicingArgument` takes
 *   exactly one;
 * - a subgraph's `@requires` adds the cost of what it requires;
 * - mutations start at 10; `__typename` is free; skipped fields and fragments
 *   (`@skip`, `@include`, with the request's variables) cost nothing.
 * The annotations are read once per supergraph (cost-schema.ts).
 */
export type CostEstimator = {
  readonly schema: CostSchema;
  /** The operation's cost before it runs. */
  estimate(document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): CostEstimate;
  /** The cost of what the answer holds: the same rules over the lists' real lengths. */
  actual(document: DocumentNode, operation: OperationDefinitionNode, variables: Variables, data: unknown): number;
};

export function createCostEstimator(supergraphSdl: string, options: CostEstimatorOptions): CostEstimator {
  const schema = costSchema(supergraphSdl);
  return {
    schema,
    estimate(document, operation, variables) {
      const read = new Set<string>();
      const estimation = new Estimation(schema, fragmentsOf(document), variableReader(operation, variables, read), options.listSize);
      try {
        return { ok: true, cost: estimation.operation(operation), variables: [...read] };
      } catch (error) {
        if (!(error instanceof SlicingArgumentsError)) throw error;
        return { ok: false, code: 'COST_INVALID_SLICING_ARGUMENTS', message: error.message, variables: [...read] };
      }
    },
    actual(document, operation, variables, data) {
      return actualCost(schema, fragmentsOf(document), operation, variableReader(operation, variables), data);
    },
  };
}

class SlicingArgumentsError extends Error {}

/** Where a connection's size goes: to its `sizedFields` children. */
type Sizing = { fields: ReadonlySet<string>; size: number | undefined };

class Estimation {
  constructor(
    private readonly schema: CostSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly variable: VariableValue,
    private readonly listSize: number,
  ) {}

  /** Fragments being spread, and fields whose `@requires` is being counted: neither may loop (validation refuses such documents later). */
  private readonly open = new Set<string>();

  operation(operation: OperationDefinitionNode): number {
    const root = this.schema.roots[operation.operation];
    if (root === undefined) return 0;
    return (operation.operation === 'mutation' ? MUTATION_COST : 0) + this.selections(operation.selectionSet, root, undefined);
  }

  private selections(set: SelectionSetNode, parent: string, sizing: Sizing | undefined): number {
    let cost = 0;
    for (const selection of set.selections) {
      if (isSkipped(selection.directives, this.variable)) continue;
      if (selection.kind === Kind.FIELD) {
        cost += this.field(selection, parent, sizing);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        cost += this.selections(selection.selectionSet, selection.typeCondition?.name.value ?? parent, sizing);
      } else {
        const name = selection.name.value;
        const fragment = this.fragments.get(name);
        if (!fragment || this.open.has(name)) continue;
        this.open.add(name);
        cost += this.selections(fragment.selectionSet, fragment.typeCondition.name.value, sizing);
        this.open.delete(name);
      }
    }
    return cost;
  }

  private field(node: FieldNode, parent: string, sizing: Sizing | undefined): number {
    const name = node.name.value;
    // `__typename` is free; `__schema` and `__type` are the introspection stage's to allow.
    if (name.startsWith('__')) return 0;
    const field = this.schema.outputs.get(parent)?.get(name);
    // A field the schema lacks: validation refuses the operation before anything runs.
    if (!field) return 0;

    const own = field.listSize && expectedSize(field.listSize, node, field, this.variable);
    const fromParent = sizing?.fields.has(name) ? sizing.size : undefined;
    // Between 0 and a finite bound, so that no size (a negative one, a 400-digit one) can lower the total or make it NaN.
    const instances = field.list ? Math.min(Math.max(0, fromParent ?? own?.size ?? this.listSize), Number.MAX_SAFE_INTEGER) : 1;

    let call = field.weight;
    for (const argument of node.arguments ?? []) {
      const input = field.arguments.get(argument.name.value);
      if (input) call += argumentCost(argument.value, input, this.schema, this.variable);
    }
    const children = node.selectionSet
      ? this.selections(node.selectionSet, field.type, field.listSize?.sizedFields && { fields: field.listSize.sizedFields, size: own?.size })
      : 0;
    const perInstance = field.typeWeight ?? (field.composite ? 1 : 0);

    let requires = 0;
    const coordinate = `${parent}.${name}`;
    if (field.requires && !this.open.has(coordinate)) {
      this.open.add(coordinate);
      requires = this.selections(field.requires, parent, undefined);
      this.open.delete(coordinate);
    }
    return Math.max(0, call) + instances * (perInstance + children) + requires;
  }
}

/**
 * The list size `@listSize` gives a field in this operation: the largest of
 * its slicing arguments' values (the schema's defaults, replaced by the
 * operation's), else `assumedSize`. Throws when the field requires exactly one
 * slicing argument and does not have it.
 */
function expectedSize(listSize: ListSize, node: FieldNode, field: CostField, variable: VariableValue): { size: number | undefined } {
  const paths = listSize.slicingArguments;
  if (!paths) return { size: listSize.assumedSize };
  const sizes = new Map<string, number>();
  for (const path of paths) {
    const [argument = '', ...inside] = path.split('.');
    const fallback = sizeInValue(field.arguments.get(argument)?.defaultValue, inside);
    if (fallback !== undefined) sizes.set(path, fallback);
    const given = node.arguments?.find((each) => each.name.value === argument);
    const size = given && sizeInNode(given.value, inside, variable);
    if (size !== undefined) sizes.set(path, size);
  }
  if (listSize.requireOneSlicingArgument && sizes.size !== 1) {
    throw new SlicingArgumentsError(
      `Field "${node.name.value}" takes exactly one of its slicing arguments (${paths.join(', ')}), but ${sizes.size} ${sizes.size === 1 ? 'was' : 'were'} given.`,
    );
  }
  return { size: sizes.size > 0 ? Math.max(...sizes.values()) : listSize.assumedSize };
}

/** A size in an argument as written: an Int, a list's length, or either inside an input object (`input.first`). */
function sizeInNode(value: ValueNode, path: readonly string[], variable: VariableValue): number | undefined {
  if (value.kind === Kind.VARIABLE) return sizeInValue(variable(value.name.value), path);
  if (path.length === 0) {
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.LIST) return value.values.length;
    return undefined;
  }
  if (value.kind !== Kind.OBJECT) return undefined;
  const field = value.fields.find((each) => each.name.value === path[0]);
  return field && sizeInNode(field.value, path.slice(1), variable);
}

/** The same in a value from the variables or the schema's defaults. */
function sizeInValue(value: unknown, path: readonly string[]): number | undefined {
  if (path.length === 0) {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    return Array.isArray(value) ? value.length : undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const [step = '', ...rest] = path;
  return Object.hasOwn(value, step) ? sizeInValue((value as Record<string, unknown>)[step], rest) : undefined;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION && !fragments.has(definition.name.value)) fragments.set(definition.name.value, definition);
  }
  return fragments;
}
