import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLSchema,
} from 'graphql';

/**
 * Every element of a schema by schema coordinate (`Type`, `Type.field`,
 * `Type.field(arg:)`, `Input.field`, `Enum.VALUE`), the same spelling the
 * check and the changelog use. Comparing two schemas' sets tells which
 * elements of one the other (a contract) includes.
 */
export function schemaCoordinates(schema: GraphQLSchema): Set<string> {
  const found = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    found.add(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        found.add(`${type.name}.${field.name}`);
        for (const argument of field.args) found.add(`${type.name}.${field.name}(${argument.name}:)`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) found.add(`${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) found.add(`${type.name}.${value.name}`);
    }
  }
  return found;
}
