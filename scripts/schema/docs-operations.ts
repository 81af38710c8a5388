import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  getVariableValues,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  parse,
  typeFromAST,
  validate,
  valueFromAST,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { TrustedDocuments } from '#gateway/stages/persisted-documents/persisted-documents.js';

/**
 * The registered operations a site shows as examples: the trusted documents
 * of the clients it is for (`trusted-documents/<client>.json`), each with
 * example variables: the stored ones (`trusted-documents/examples/<client>.json`,
 * `{ "<operation name>": { "variables": { ... } } }`) if there are any, else a
 * placeholder per variable from its type. Both are checked against the
 * site's schema the way the gateway coerces variables.
 */
export type ExampleVariables = ReadonlyMap<string, ReadonlyMap<string, Record<string, unknown>>>;

export type Registered = { documents: TrustedDocuments; examples: ExampleVariables };

export const NO_OPERATIONS: Registered = { documents: new Map(), examples: new Map() };

export type DocumentedOperation = {
  client: string;
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
  variables: Record<string, unknown>;
  /** Where the variables came from. */
  example: 'stored' | 'generated';
  /** The root fields it selects, as schema coordinates (`Query.product`). */
  rootFields: string[];
};

export const EXAMPLES_DIR = 'examples';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `<documentsDir>/examples/<client>.json`; none when there is no such folder. Throws naming a malformed file. */
export async function readExampleVariables(documentsDir: string): Promise<ExampleVariables> {
  const dir = join(documentsDir, EXAMPLES_DIR);
  const files = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const examples = new Map<string, Map<string, Record<string, unknown>>>();
  for (const file of files.filter((name) => name.endsWith('.json')).sort()) {
    const path = join(dir, file);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new Error(`${path}: ${(error as Error).message}`);
    }
    if (!isRecord(json)) throw new Error(`${path}: must be an object of { "<operation name>": { "variables": { ... } } }`);
    const byOperation = new Map<string, Record<string, unknown>>();
    for (const [operation, example] of Object.entries(json)) {
      if (!isRecord(example) || !isRecord(example.variables)) throw new Error(`${path}: ${operation} must be { "variables": { ... } }`);
      byOperation.set(operation, example.variables);
    }
    examples.set(file.slice(0, -'.json'.length), byOperation);
  }
  return examples;
}

const SCALAR_PLACEHOLDERS: Readonly<Record<string, unknown>> = {
  Int: 1,
  Float: 1.5,
  Boolean: true,
  DateTime: '2026-01-01T00:00:00.000Z',
  Date: '2026-01-01',
  JSON: {},
};

/**
 * A value of `type` to start from: a placeholder per scalar (`"<upc>"` for a
 * string named upc), an enum's first value, an input object with its fields
 * (nested optional input objects left out, so recursive inputs end), a list of one.
 */
function placeholder(type: GraphQLInputType, name: string, depth: number): unknown {
  if (isNonNullType(type)) return placeholder(type.ofType, name, depth);
  if (isListType(type)) return [placeholder(type.ofType, name, depth)];
  if (isEnumType(type)) return (type.getValues().find((value) => !value.deprecationReason) ?? type.getValues()[0])?.value;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      const nested = isInputObjectType(isListType(field.type) ? field.type.ofType : field.type);
      if (nested && depth > 0) continue;
      value[field.name] = field.defaultValue !== undefined ? field.defaultValue : placeholder(field.type, field.name, depth + 1);
    }
    return value;
  }
  return Object.hasOwn(SCALAR_PLACEHOLDERS, type.name) ? SCALAR_PLACEHOLDERS[type.name] : `<${name}>`;
}

/** Each required variable's placeholder, and each variable with a default at its default; optional ones left out. */
function generatedVariables(schema: GraphQLSchema, operation: OperationDefinitionNode): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (!type) continue;
    const name = definition.variable.name.value;
    if (definition.defaultValue) variables[name] = valueFromAST(definition.defaultValue, type);
    else if (isNonNullType(type)) variables[name] = placeholder(type, name, 0);
  }
  return variables;
}

export type SiteOperations = { operations: DocumentedOperation[]; left: string[]; problems: string[] };

/**
 * The operations of `clients` that are valid against `schema`, in client then
 * manifest order. `left` names those that are not (the site leaves them out);
 * `problems` the stored examples that do not fit (or name no operation).
 */
export function siteOperations(schema: GraphQLSchema, clients: readonly string[], registered: Registered): SiteOperations {
  const operations: DocumentedOperation[] = [];
  const left: string[] = [];
  const problems: string[] = [];
  for (const client of clients) {
    const manifest = registered.documents.get(client);
    if (!manifest) continue;
    const stored = registered.examples.get(client) ?? new Map<string, Record<string, unknown>>();
    const names = new Set([...manifest.byId.values()].map((operation) => operation.name));
    for (const name of stored.keys()) {
      if (!names.has(name)) problems.push(`the example variables of ${client}'s ${name} name no operation ${client} registered`);
    }
    for (const registeredOperation of manifest.byId.values()) {
      const { id, name, type, body } = registeredOperation;
      const document = parse(body);
      const errors = validate(schema, document);
      if (errors.length > 0) {
        left.push(`${client}'s ${name}: ${errors[0]?.message ?? 'not valid'}`);
        continue;
      }
      const definitions = document.definitions.filter((each): each is OperationDefinitionNode => each.kind === Kind.OPERATION_DEFINITION);
      const operation = definitions.find((each) => each.name?.value === name) ?? definitions[0];
      if (!operation) continue;
      const example = stored.get(name);
      const variables = example ?? generatedVariables(schema, operation);
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
      if (coerced.errors) {
        const message = coerced.errors.map((error) => error.message).join(' ');
        if (example) problems.push(`the example variables of ${client}'s ${name} do not fit it: ${message}`);
        else throw new Error(`The variables generated for ${client}'s ${name} do not fit it: ${message}`);
        continue;
      }
      const root = schema.getRootType(operation.operation)?.name ?? '';
      const rootFields = operation.selectionSet.selections.flatMap((selection) => (selection.kind === Kind.FIELD ? [`${root}.${selection.name.value}`] : []));
      operations.push({ client, id, name, type, body, variables, example: example ? 'stored' : 'generated', rootFields: [...new Set(rootFields)] });
    }
  }
  return { operations, left, problems };
}
