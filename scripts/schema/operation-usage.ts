import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  parse,
  typeFromAST,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import type { TrustedDocuments } from '#gateway/stages/persisted-documents/persisted-documents.js';
import { EVERY_OPERATION } from './schema-change.js';

/** A registered operation: one entry of one client's trusted document manifest. */
export type OperationRef = { client: string; id: string; name: string };

type Registered = OperationRef & { document: DocumentNode; coordinates: Set<string> };

export type OperationProblem = OperationRef & { errors: string[] };

/**
 * Which schema coordinates each registered operation uses: `Type`,
 * `Type.field`, `Type.field(arg:)`, `Input.field`, `Enum.VALUE`, `@directive`.
 * Fragments count where they are defined (each manifest entry carries its
 * own). A variable may carry every value of its type, so one typed with an input
 * object or enum uses every field and value reachable from it.
 */
export type OperationUsage = {
  operations: readonly OperationRef[];
  /** The operations using at least one of the coordinates, in client then manifest order. */
  usersOf(coordinates: readonly string[]): OperationRef[];
  /** Operations that are valid against `before` and not against `after`. */
  brokenBetween(before: GraphQLSchema, after: GraphQLSchema): OperationProblem[];
  /** Operations that are not valid against the schema. */
  invalidAgainst(schema: GraphQLSchema): OperationProblem[];
};

function addInputType(type: GraphQLNamedType, used: Set<string>): void {
  if (used.has(type.name)) return;
  used.add(type.name);
  if (isEnumType(type)) {
    for (const value of type.getValues()) used.add(`${type.name}.${value.name}`);
  } else if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) {
      used.add(`${type.name}.${field.name}`);
      addInputType(getNamedType(field.type), used);
    }
  }
}

/** The coordinates a document uses, as far as `schema` knows them. */
function coordinatesUsed(schema: GraphQLSchema, document: DocumentNode, used: Set<string>): void {
  const typeInfo = new TypeInfo(schema);
  const typeCondition = (node: { typeCondition?: { name: { value: string } } | undefined }) => {
    if (node.typeCondition) used.add(node.typeCondition.name.value);
  };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        const root = schema.getRootType(node.operation);
        if (root) used.add(root.name);
      },
      Field() {
        const [parent, field] = [typeInfo.getParentType(), typeInfo.getFieldDef()];
        if (!parent || !field || field.name.startsWith('__')) return;
        used.add(parent.name).add(`${parent.name}.${field.name}`).add(getNamedType(field.type).name);
      },
      Argument(node) {
        const directive = typeInfo.getDirective();
        const [parent, field] = [typeInfo.getParentType(), typeInfo.getFieldDef()];
        if (directive) used.add(`@${directive.name}(${node.name.value}:)`);
        else if (parent && field) used.add(`${parent.name}.${field.name}(${node.name.value}:)`);
        const type = typeInfo.getInputType();
        if (type) used.add(getNamedType(type).name);
      },
      ObjectField(node) {
        const parent = typeInfo.getParentInputType();
        const named = parent ? getNamedType(parent) : undefined;
        if (named && isInputObjectType(named)) used.add(named.name).add(`${named.name}.${node.name.value}`);
      },
      EnumValue(node) {
        const type = typeInfo.getInputType();
        const named = type ? getNamedType(type) : undefined;
        if (named && isEnumType(named)) used.add(named.name).add(`${named.name}.${node.value}`);
      },
      VariableDefinition(node) {
        const type = typeFromAST(schema, node.type);
        if (type) addInputType(getNamedType(type), used);
      },
      InlineFragment: typeCondition,
      FragmentDefinition: typeCondition,
      Directive(node) {
        used.add(`@${node.name.value}`);
      },
    }),
  );
}

const refOf = ({ client, id, name }: OperationRef): OperationRef => ({ client, id, name });

/**
 * Indexes every client's registered operations against each schema given
 * (the published one, and the proposed one for fields not published yet).
 */
export function indexOperationUsage(documents: TrustedDocuments, schemas: readonly GraphQLSchema[]): OperationUsage {
  const registered: Registered[] = [];
  for (const [client, manifest] of documents) {
    for (const operation of manifest.byId.values()) {
      const document = parse(operation.body);
      const coordinates = new Set<string>();
      for (const schema of schemas) coordinatesUsed(schema, document, coordinates);
      registered.push({ client, id: operation.id, name: operation.name, document, coordinates });
    }
  }
  const problems = (schema: GraphQLSchema, operation: Registered) =>
    validate(schema, operation.document).map((error) => error.message);
  const invalid = (schema: GraphQLSchema, operations: readonly Registered[]) =>
    operations.flatMap((operation) => {
      const errors = problems(schema, operation);
      return errors.length > 0 ? [{ ...refOf(operation), errors }] : [];
    });
  return {
    operations: registered.map(refOf),
    usersOf(coordinates) {
      const all = coordinates.includes(EVERY_OPERATION);
      const uses = (operation: Registered) => all || coordinates.some((coordinate) => operation.coordinates.has(coordinate));
      return registered.filter(uses).map(refOf);
    },
    brokenBetween(before, after) {
      return invalid(after, registered.filter((operation) => problems(before, operation).length === 0));
    },
    invalidAgainst: (schema) => invalid(schema, registered),
  };
}
