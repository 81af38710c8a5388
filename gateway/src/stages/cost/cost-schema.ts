import {
  baseType,
  buildSchema,
  isCompositeType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  possibleRuntimeTypes,
  type NamedType,
  type Schema,
  type Type,
} from '@apollo/federation-internals';
import { Kind, parse, type SelectionSetNode } from 'graphql';

const COST_SPEC = 'https://specs.apollo.dev/cost';
const FEDERATION_SPEC = 'https://specs.apollo.dev/federation';
const JOIN_SPEC = 'https://specs.apollo.dev/join';

/** `@listSize` on a field, as the cost spec defines it. */
export type ListSize = {
  readonly assumedSize: number | undefined;
  /** Argument names, or paths into an input object argument (`input.first`). */
  readonly slicingArguments: readonly string[] | undefined;
  /** Fields of the returned type whose list length is the slicing argument's value (connections). */
  readonly sizedFields: ReadonlySet<string> | undefined;
  readonly requireOneSlicingArgument: boolean;
};

/** An argument or an input object's field. */
export type CostInput = {
  /** Its named type. */
  readonly type: string;
  readonly inputObject: boolean;
  /** Its own `@cost`, else its type's (a scalar's or an enum's); undefined without either. */
  readonly weight: number | undefined;
  /** The schema's default value, parsed. */
  readonly defaultValue: unknown;
};

/** A field of an object or interface type, with what its cost depends on. */
export type CostField = {
  /** The named type it returns. */
  readonly type: string;
  /** Whether it returns a list (at any depth): its cost is multiplied by the list's size. */
  readonly list: boolean;
  /** Whether it returns an object, an interface or a union: one unit per instance unless its type says otherwise. */
  readonly composite: boolean;
  /** `@cost` on the field: counted once per call, with its arguments'. */
  readonly weight: number;
  /**
   * `@cost` on the type it returns (for an interface or a union, the highest of
   * its possible types'): counted per instance. Undefined when none has one.
   */
  readonly typeWeight: number | undefined;
  readonly listSize: ListSize | undefined;
  /** The selection a subgraph's `@requires` adds to this field's fetch. */
  readonly requires: SelectionSetNode | undefined;
  readonly arguments: ReadonlyMap<string, CostInput>;
};

/**
 * What the cost of an operation over one supergraph depends on, read once per
 * supergraph: every output type's fields and every input type's fields, with
 * their `@cost` and `@listSize` under whatever names the supergraph's `@link`s
 * give them (`@cost`, `@renamedCost`, `@federation__cost`…).
 */
export type CostSchema = {
  readonly roots: Readonly<Record<'query' | 'mutation' | 'subscription', string | undefined>>;
  /** Object and interface types' fields. */
  readonly outputs: ReadonlyMap<string, ReadonlyMap<string, CostField>>;
  /** Input object types' fields. */
  readonly inputs: ReadonlyMap<string, ReadonlyMap<string, CostInput>>;
  /** For fragments' type conditions: each abstract type's possible object types. */
  readonly possibleTypes: ReadonlyMap<string, ReadonlySet<string>>;
};

type DirectiveNames = { cost: string | undefined; listSize: string | undefined; joinField: string | undefined };

/**
 * Reads a supergraph's cost annotations. Annotations that do not make sense
 * (a weight that is not a number, a sized field the type lacks) are ignored
 * rather than refused: a supergraph that plans is served, and validation
 * refuses what does not exist before anything is fetched.
 */
export function costSchema(supergraphSdl: string): CostSchema {
  // Unvalidated: the executor validated this supergraph already, and cost specs differ on the weight's type.
  const schema = buildSchema(supergraphSdl, { validate: false });
  const names = directiveNames(schema);
  const typeWeights = new Map<string, number>();
  if (names.cost !== undefined) {
    for (const type of schema.types()) {
      const weight = weightOf(type.appliedDirectivesOf(names.cost)[0]?.arguments().weight);
      if (weight !== undefined) typeWeights.set(type.name, Math.max(0, weight));
    }
  }

  const possibleTypes = new Map<string, Set<string>>();
  const outputs = new Map<string, Map<string, CostField>>();
  const inputs = new Map<string, Map<string, CostInput>>();
  for (const type of schema.types()) {
    if (isInterfaceType(type) || isUnionType(type)) {
      possibleTypes.set(type.name, new Set(possibleRuntimeTypes(type).map((object) => object.name)));
    }
    if (isObjectType(type) || isInterfaceType(type)) {
      const fields = new Map<string, CostField>();
      for (const field of type.fields()) {
        const named = baseType(field.type!);
        const own = names.cost === undefined ? undefined : weightOf(field.appliedDirectivesOf(names.cost)[0]?.arguments().weight);
        const listSize = names.listSize === undefined ? undefined : listSizeOf(field.appliedDirectivesOf(names.listSize)[0]?.arguments());
        const args = new Map<string, CostInput>();
        for (const argument of field.arguments()) {
          args.set(argument.name, costInput(argument, names.cost, typeWeights));
        }
        fields.set(field.name, {
          type: named.name,
          list: returnsList(field.type!),
          composite: isCompositeType(named),
          weight: own ?? 0,
          typeWeight: instanceWeight(named, typeWeights),
          listSize,
          requires: names.joinField === undefined ? undefined : requiresOf(field.appliedDirectivesOf(names.joinField)),
          arguments: args,
        });
      }
      outputs.set(type.name, fields);
    }
    if (isInputObjectType(type)) {
      const fields = new Map<string, CostInput>();
      for (const field of type.fields()) {
        fields.set(field.name, costInput(field, names.cost, typeWeights));
      }
      inputs.set(type.name, fields);
    }
  }

  const definition = schema.schemaDefinition;
  return {
    roots: {
      query: definition.rootType('query')?.name,
      mutation: definition.rootType('mutation')?.name,
      subscription: definition.rootType('subscription')?.name,
    },
    outputs,
    inputs,
    possibleTypes,
  };
}

/**
 * The names the supergraph gives the cost spec's directives: from its link to
 * the cost spec (imported, renamed with `as`, or `@cost__listSize`), else from
 * a link to the federation spec (`@federation__cost`), as Apollo Router reads them.
 */
function directiveNames(schema: Schema): DirectiveNames {
  const features = schema.coreFeatures;
  const spec = features?.getByIdentity(COST_SPEC) ?? features?.getByIdentity(FEDERATION_SPEC);
  const defined = (name: string | undefined) => (name !== undefined && schema.directive(name) ? name : undefined);
  return {
    cost: defined(spec?.directiveNameInSchema('cost')),
    listSize: defined(spec?.directiveNameInSchema('listSize')),
    joinField: defined(features?.getByIdentity(JOIN_SPEC)?.directiveNameInSchema('field')),
  };
}

/** A weight as the spec versions write it: an Int (cost v0.1), a Float, or a String holding a number. */
function weightOf(value: unknown): number | undefined {
  const weight = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof weight === 'number' && Number.isFinite(weight) ? weight : undefined;
}

/** Per instance: the type's own weight; an abstract type's is the highest of its possible types' (the worst case). */
function instanceWeight(type: NamedType, typeWeights: ReadonlyMap<string, number>): number | undefined {
  if (!isInterfaceType(type) && !isUnionType(type)) return typeWeights.get(type.name);
  let highest: number | undefined;
  for (const object of possibleRuntimeTypes(type)) {
    const weight = typeWeights.get(object.name);
    if (weight !== undefined) highest = Math.max(highest ?? 0, weight);
  }
  return highest;
}

type InputElement = {
  type?: Type | undefined;
  defaultValue?: unknown;
  appliedDirectivesOf(name: string): readonly { arguments(): Record<string, unknown> }[];
};

function costInput(element: InputElement, cost: string | undefined, typeWeights: ReadonlyMap<string, number>): CostInput {
  const named = baseType(element.type!);
  const own = cost === undefined ? undefined : weightOf(element.appliedDirectivesOf(cost)[0]?.arguments().weight);
  return {
    type: named.name,
    inputObject: isInputObjectType(named),
    weight: own ?? typeWeights.get(named.name),
    defaultValue: element.defaultValue,
  };
}

function listSizeOf(args: Record<string, unknown> | undefined): ListSize | undefined {
  if (!args) return undefined;
  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined);
  const assumedSize = typeof args.assumedSize === 'number' && Number.isFinite(args.assumedSize) ? Math.max(0, args.assumedSize) : undefined;
  const sizedFields = strings(args.sizedFields);
  return {
    assumedSize,
    slicingArguments: strings(args.slicingArguments),
    sizedFields: sizedFields && new Set(sizedFields),
    // The spec's default: a field with slicing arguments takes exactly one.
    requireOneSlicingArgument: args.requireOneSlicingArgument !== false,
  };
}

function returnsList(type: Type): boolean {
  let current = type;
  for (;;) {
    if (isListType(current)) return true;
    if (!isNonNullType(current)) return false;
    current = current.ofType;
  }
}

/** The first `@join__field(requires:)` field set, as a selection set. */
function requiresOf(joins: readonly { arguments(): Record<string, unknown> }[]): SelectionSetNode | undefined {
  for (const join of joins) {
    const fields = join.arguments().requires;
    if (typeof fields !== 'string' || fields.trim() === '') continue;
    try {
      const [operation] = parse(`{${fields}}`, { noLocation: true }).definitions;
      if (operation?.kind === Kind.OPERATION_DEFINITION) return operation.selectionSet;
    } catch {
      // A field set the supergraph's composition let through but graphql-js cannot read: no requirement counted.
    }
  }
  return undefined;
}
