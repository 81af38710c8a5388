import {
  getNamedType,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isObjectType,
  Kind,
  parse,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { collectFields, collectSubfields } from 'graphql/execution/collectFields.js';
import type { Operation } from '../support/executor-comparison.js';

/**
 * Whether the keys of every object in `data` come in the order the spec's
 * CollectFields gives for the operation: document order, each response key
 * where it first appears, whichever fragment it is in. An object of an
 * abstract type may be of any of its possible types (the answer need not say
 * which): one of them must give its keys in that order.
 */
export function inSpecOrder(schema: GraphQLSchema, operation: Operation, data: unknown): boolean {
  const document = parse(operation.query);
  const definition = getOperationAST(document, operation.operationName);
  const root = definition && schema.getRootType(definition.operation);
  if (!definition || !root) return false;
  const coerced = getVariableValues(schema, definition.variableDefinitions ?? [], operation.variables ?? {});
  if (coerced.errors) return false;
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const node of document.definitions) if (node.kind === Kind.FRAGMENT_DEFINITION) fragments[node.name.value] = node;
  const variables = coerced.coerced;

  const fieldType = (parent: GraphQLObjectType, node: FieldNode): GraphQLOutputType | undefined => {
    if (node.name.value === SchemaMetaFieldDef.name) return SchemaMetaFieldDef.type;
    if (node.name.value === TypeMetaFieldDef.name) return TypeMetaFieldDef.type;
    return parent.getFields()[node.name.value]?.type;
  };

  const objectInOrder = (type: GraphQLObjectType, fields: Map<string, readonly FieldNode[]>, value: Record<string, unknown>): boolean => {
    if (Object.keys(value).join('\u0000') !== [...fields.keys()].join('\u0000')) return false;
    for (const [key, nodes] of fields) {
      const returned = fieldType(type, nodes[0]!);
      if (returned && !valueInOrder(getNamedType(returned), nodes, value[key])) return false;
    }
    return true;
  };

  const valueInOrder = (named: ReturnType<typeof getNamedType>, nodes: readonly FieldNode[], value: unknown): boolean => {
    if (value === null || typeof value !== 'object') return true;
    if (Array.isArray(value)) return value.every((item) => valueInOrder(named, nodes, item));
    const candidates = isAbstractType(named) ? schema.getPossibleTypes(named) : isObjectType(named) ? [named] : [];
    return candidates.some((type) =>
      objectInOrder(type, collectSubfields(schema, fragments, variables, type, nodes), value as Record<string, unknown>),
    );
  };

  if (data === null) return true;
  if (typeof data !== 'object') return false;
  return objectInOrder(root, collectFields(schema, fragments, variables, root, definition.selectionSet), data as Record<string, unknown>);
}
