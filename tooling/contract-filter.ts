import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isSpecifiedScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

/** Which `@tag` names make a contract: see `contractExclusions` for what they select. */
export type ContractFilter = { include: readonly string[]; exclude: readonly string[] };

/**
 * What a contract leaves out, by schema coordinate (`Product`, `Product.name`,
 * `Query.product(upc:)`, `Color.RED`): only the outermost element of each
 * part left out (a hidden type's fields are not listed). `problems` name the
 * elements that cannot be left out, each a sentence.
 */
export type ContractExclusions = { hidden: ReadonlySet<string>; problems: string[] };

const isRequired = (value: GraphQLArgument | GraphQLInputField) => isNonNullType(value.type) && value.defaultValue === undefined;

/**
 * The elements of `schema` (a supergraph's API schema) that a contract leaves
 * out, after Apollo GraphOS's contract rules:
 * - An element tagged with an `exclude` tag is out, and a type that is out
 *   takes every field, argument or input field of that type out with it.
 * - With `include` tags, an object or interface field is in only when it, or
 *   its parent type, carries one; an object or interface type is in when one
 *   of its fields is; a union only when tagged. Scalars, enums and input types
 *   are values, not data: they are in when something in the contract uses them
 *   (GraphOS wants them tagged too; following use means a tagged field is
 *   never dropped for an untagged enum). Arguments, input fields and enum
 *   values are out only by an `exclude` tag or their type.
 * - A type with nothing left in it is out, and so is everything that returns it;
 *   a type no root field reaches now is hidden too.
 * - A required argument or input field cannot be left out of a field or input
 *   type that stays in, nor can an object's field that implements an interface
 *   field the contract keeps, and the query type must keep a field: each is a problem.
 */
export function contractExclusions(
  schema: GraphQLSchema,
  tagsOf: (coordinate: string) => readonly string[],
  filter: ContractFilter,
): ContractExclusions {
  const include = new Set(filter.include);
  const exclude = new Set(filter.exclude);
  const carries = (coordinate: string, tags: ReadonlySet<string>) => tagsOf(coordinate).some((tag) => tags.has(tag));
  const types = Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__') && !isSpecifiedScalarType(type));
  const outTypes = new Set<string>();
  const outMembers = new Set<string>();
  const isOut = (type: GraphQLNamedType) => outTypes.has(type.name);

  for (const type of types) {
    if (carries(type.name, exclude) || (include.size > 0 && isUnionType(type) && !carries(type.name, include))) outTypes.add(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        const selected = include.size === 0 || carries(coordinate, include) || carries(type.name, include);
        if (!selected || carries(coordinate, exclude)) outMembers.add(coordinate);
        for (const arg of field.args) if (carries(`${coordinate}(${arg.name}:)`, exclude)) outMembers.add(`${coordinate}(${arg.name}:)`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (carries(`${type.name}.${field.name}`, exclude)) outMembers.add(`${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) if (carries(`${type.name}.${value.name}`, exclude)) outMembers.add(`${type.name}.${value.name}`);
    }
  }

  // Taking a type out can empty the types that use it: repeat until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    const out = (coordinate: string, set: Set<string>) => {
      if (set.has(coordinate)) return false;
      set.add(coordinate);
      return (changed = true);
    };
    for (const type of types) {
      if (isOut(type)) continue;
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          const coordinate = `${type.name}.${field.name}`;
          if (isOut(getNamedType(field.type))) out(coordinate, outMembers);
          for (const arg of field.args) if (isOut(getNamedType(arg.type))) out(`${coordinate}(${arg.name}:)`, outMembers);
        }
        if (Object.keys(type.getFields()).every((name) => outMembers.has(`${type.name}.${name}`))) out(type.name, outTypes);
      } else if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) if (isOut(getNamedType(field.type))) out(`${type.name}.${field.name}`, outMembers);
        if (Object.keys(type.getFields()).every((name) => outMembers.has(`${type.name}.${name}`))) out(type.name, outTypes);
      } else if (isEnumType(type)) {
        if (type.getValues().every((value) => outMembers.has(`${type.name}.${value.name}`))) out(type.name, outTypes);
      } else if (isUnionType(type)) {
        if (type.getTypes().every(isOut)) out(type.name, outTypes);
      }
    }
  }

  const problems = requiredButOut(types, isOut, outMembers);
  const query = schema.getQueryType();
  if (!query || isOut(query)) problems.push(`The contract leaves ${query?.name ?? 'Query'} with no fields: tag at least one root field.`);

  const reached = reachable(schema, isOut, outMembers);
  for (const type of types) if (!reached.has(type.name)) outTypes.add(type.name);
  const hidden = new Set<string>(outTypes);
  for (const coordinate of outMembers) {
    const [typeName = ''] = coordinate.split('.');
    const field = coordinate.replace(/\(.*$/, '');
    if (!outTypes.has(typeName) && (field === coordinate || !outMembers.has(field))) hidden.add(coordinate);
  }
  return { hidden, problems };
}

/** Required arguments and input fields, and interface fields' implementations, left out of what stays in. */
function requiredButOut(
  types: readonly GraphQLNamedType[],
  isOut: (type: GraphQLNamedType) => boolean,
  outMembers: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  for (const type of types) {
    if (isOut(type)) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        if (outMembers.has(coordinate)) continue;
        for (const arg of field.args) {
          if (isRequired(arg) && outMembers.has(`${coordinate}(${arg.name}:)`)) {
            problems.push(`${coordinate}(${arg.name}:) is required, but the contract leaves it (or its type ${getNamedType(arg.type).name}) out while keeping ${coordinate}.`);
          }
        }
      }
      for (const iface of type.getInterfaces()) {
        if (isOut(iface)) continue;
        for (const name of Object.keys(iface.getFields())) {
          if (!outMembers.has(`${iface.name}.${name}`) && outMembers.has(`${type.name}.${name}`)) {
            problems.push(`${type.name}.${name} is left out, but it implements ${iface.name}.${name}, which the contract keeps.`);
          }
        }
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (isRequired(field) && outMembers.has(`${type.name}.${field.name}`)) {
          problems.push(`${type.name}.${field.name} is required, but the contract leaves it (or its type ${getNamedType(field.type).name}) out while keeping ${type.name}.`);
        }
      }
    }
  }
  return problems;
}

/** The names of the types a client can still reach from the root types, through what the contract keeps. */
function reachable(schema: GraphQLSchema, isOut: (type: GraphQLNamedType) => boolean, outMembers: ReadonlySet<string>): Set<string> {
  const seen = new Set<string>();
  const visit = (type: GraphQLNamedType | null | undefined): void => {
    if (!type || seen.has(type.name) || isOut(type)) return;
    seen.add(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
        const coordinate = `${type.name}.${field.name}`;
        if (outMembers.has(coordinate)) continue;
        visit(getNamedType(field.type));
        for (const arg of field.args) if (!outMembers.has(`${coordinate}(${arg.name}:)`)) visit(getNamedType(arg.type));
      }
      for (const iface of type.getInterfaces()) visit(iface);
      if (isInterfaceType(type)) for (const object of schema.getPossibleTypes(type)) visit(object);
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (!outMembers.has(`${type.name}.${field.name}`)) visit(getNamedType(field.type));
    } else if (isUnionType(type)) {
      for (const member of type.getTypes()) visit(member);
    }
  };
  visit(schema.getQueryType());
  visit(schema.getMutationType());
  visit(schema.getSubscriptionType());
  return seen;
}
