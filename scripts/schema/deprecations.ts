import { isEnumType, isInputObjectType, isInterfaceType, isIntrospectionType, isObjectType, type GraphQLSchema } from 'graphql';

/** A `@deprecated` field, argument, input field or enum value, by schema coordinate. */
export type Deprecation = { coordinate: string; reason: string };

/** Every deprecated element of the schema, in schema order. */
export function listDeprecations(schema: GraphQLSchema): Deprecation[] {
  const found: Deprecation[] = [];
  const add = (coordinate: string, reason: string | null | undefined) => {
    if (reason !== null && reason !== undefined) found.push({ coordinate, reason });
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type)) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        add(`${type.name}.${field.name}`, field.deprecationReason);
        for (const argument of field.args) add(`${type.name}.${field.name}(${argument.name}:)`, argument.deprecationReason);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) add(`${type.name}.${field.name}`, field.deprecationReason);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) add(`${type.name}.${value.name}`, value.deprecationReason);
    }
  }
  return found;
}
