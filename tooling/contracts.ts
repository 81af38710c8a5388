import { readFile } from 'node:fs/promises';
import { buildSchema as buildFederationSchema, printSchema as printFederationSchema } from '@apollo/federation-internals';
import {
  isTypeDefinitionNode,
  isTypeExtensionNode,
  Kind,
  parse,
  print,
  visit,
  type ConstDirectiveNode,
  type DefinitionNode,
  type DirectiveDefinitionNode,
  type DocumentNode,
} from 'graphql';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { apiSchemaOf } from './api-schema.js';
import { contractExclusions, type ContractFilter } from './contract-filter.js';

export type { ContractFilter } from './contract-filter.js';

/**
 * Contracts: variants of the supergraph filtered by `@tag`, as Apollo GraphOS
 * makes them, kept in contracts.yaml beside supergraph.yaml. `npm run compose`
 * writes each to contracts/<name>.graphql: the whole supergraph with
 * `@inaccessible` on what the contract leaves out, so its API schema is the
 * contract while the query planner still sees every key and @requires field.
 */
export type Contract = ContractFilter & { name: string; description?: string };

export type ContractsConfig = { contracts: Contract[] };

/** A contract the supergraph cannot give; `problems` name each element at fault. */
export class ContractError extends Error {
  constructor(readonly contract: string, readonly problems: string[]) {
    super(`Contract "${contract}":\n  ${problems.join('\n  ')}`);
  }
}

/** Contract names become file names (contracts/<name>.graphql) and CONTRACT_CLIENTS values. */
export const CONTRACT_NAME = /^[a-z][a-z0-9_-]*$/;

const tags = z
  .array(z.string().regex(/^[A-Za-z0-9_:.-]+$/, 'must be a tag name'), { error: 'must be a list of tags, e.g. [partner]' })
  .default([]);
const configSchema = z.strictObject({
  contracts: z.record(
    z.string(),
    z
      .strictObject({ description: z.string().optional(), include: tags, exclude: tags })
      .refine((contract) => contract.include.length + contract.exclude.length > 0, 'needs include or exclude tags'),
  ),
});

/**
 * Reads contracts.yaml; throws one error listing every problem, each with
 * where it is. `optional`: a missing file is no contracts rather than an error.
 */
export async function readContractsConfig(path: string, { optional = false } = {}): Promise<ContractsConfig> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (optional && error.code === 'ENOENT') return undefined;
    throw new Error(`Cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`);
  });
  if (text === undefined) return { contracts: [] };
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new Error(`${path} is not valid YAML: ${(error as Error).message}`);
  }
  const parsed = configSchema.safeParse(raw ?? {});
  // Names are checked apart from the rest, so a bad name and a bad filter are both reported.
  const named = z.object({ contracts: z.record(z.string(), z.unknown()) }).safeParse(raw);
  const names = named.success ? Object.keys(named.data.contracts) : [];
  const problems = [
    ...names.filter((name) => !CONTRACT_NAME.test(name)).map((name) => `contracts.${name}: contract names are lowercase letters, digits, - and _`),
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`)),
  ];
  if (!parsed.success || problems.length > 0) {
    throw new Error(`${path} is not a valid contracts config:\n  ${problems.join('\n  ')}`);
  }
  return {
    contracts: Object.entries(parsed.data.contracts).map(([name, { description, include, exclude }]) => ({
      name,
      ...(description === undefined ? {} : { description }),
      include,
      exclude,
    })),
  };
}

const TAG_SPEC = 'https://specs.apollo.dev/tag/';
const INACCESSIBLE_SPEC = 'https://specs.apollo.dev/inaccessible/';
const INACCESSIBLE_LINK = 'https://specs.apollo.dev/inaccessible/v0.2';
const INACCESSIBLE_DEFINITION =
  'directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION';

const stringArgument = (directive: ConstDirectiveNode, name: string): string | undefined => {
  const value = directive.arguments?.find((argument) => argument.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
};

/** The name a spec's directive goes by in this supergraph (its `@link`'s `as:`), or undefined when not linked. */
function linkedName(document: DocumentNode, spec: string): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      const url = directive.name.value === 'link' ? stringArgument(directive, 'url') : undefined;
      if (url?.startsWith(spec)) return stringArgument(directive, 'as') ?? /\/([^/]+)\/v[\d.]+$/.exec(url)?.[1];
    }
  }
  return undefined;
}

type Tagged = { name: { value: string }; directives?: readonly ConstDirectiveNode[] | undefined };

/** Every element's coordinate (`Type`, `Type.field`, `Type.field(arg:)`), each with its AST node: what tags are read from and @inaccessible goes on. */
function elementsOf(definitions: readonly DefinitionNode[]): Map<string, Tagged[]> {
  const elements = new Map<string, Tagged[]>();
  const add = (coordinate: string, node: Tagged) => elements.set(coordinate, [...(elements.get(coordinate) ?? []), node]);
  for (const definition of definitions) {
    if (!isTypeDefinitionNode(definition) && !isTypeExtensionNode(definition)) continue;
    const type = definition.name.value;
    add(type, definition);
    if ('fields' in definition) {
      for (const field of definition.fields ?? []) {
        add(`${type}.${field.name.value}`, field);
        if ('arguments' in field) for (const arg of field.arguments ?? []) add(`${type}.${field.name.value}(${arg.name.value}:)`, arg);
      }
    }
    if ('values' in definition) for (const value of definition.values ?? []) add(`${type}.${value.name.value}`, value);
  }
  return elements;
}

/**
 * The supergraph of one contract: `supergraphSdl` (a composed Federation 2
 * supergraph) with `@inaccessible` on every element the filter leaves out
 * (contract-filter.ts has the rules). Throws a ContractError naming each
 * element that cannot be left out, or when no query field would remain.
 */
export function contractSupergraph(supergraphSdl: string, filter: ContractFilter & { name?: string }): string {
  const contract = filter.name ?? 'contract';
  const document = parse(supergraphSdl);
  const apiSchema = apiSchemaOf(supergraphSdl);
  const tagName = linkedName(document, TAG_SPEC);
  const elements = elementsOf(document.definitions);
  const tagsOf = (coordinate: string) =>
    (elements.get(coordinate) ?? []).flatMap((node) =>
      (node.directives ?? []).flatMap((directive) => {
        const tag = directive.name.value === tagName ? stringArgument(directive, 'name') : undefined;
        return tag === undefined ? [] : [tag];
      }),
    );
  const { hidden, problems } = contractExclusions(apiSchema, tagsOf, filter);
  if (problems.length > 0) throw new ContractError(contract, problems);

  const inaccessibleName = linkedName(document, INACCESSIBLE_SPEC) ?? 'inaccessible';
  const inaccessible: ConstDirectiveNode = { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: inaccessibleName }, arguments: [] };
  const marked = new Set<Tagged>();
  for (const coordinate of hidden) for (const node of elements.get(coordinate) ?? []) marked.add(node);
  const isLinked = linkedName(document, INACCESSIBLE_SPEC) !== undefined;
  const filtered = visit(document, {
    enter(node) {
      if (!marked.has(node as Tagged)) return undefined;
      const tagged = node as Tagged;
      if (tagged.directives?.some((directive) => directive.name.value === inaccessibleName)) return undefined;
      return { ...node, directives: [...(tagged.directives ?? []), inaccessible] };
    },
    SchemaDefinition(node) {
      if (isLinked) return undefined;
      const link = parse(`extend schema @link(url: "${INACCESSIBLE_LINK}", for: SECURITY)`).definitions[0];
      return link?.kind === Kind.SCHEMA_EXTENSION ? { ...node, directives: [...(node.directives ?? []), ...(link.directives ?? [])] } : undefined;
    },
  });
  const definition = parse(INACCESSIBLE_DEFINITION).definitions[0] as DirectiveDefinitionNode;
  const definitions = isLinked ? filtered.definitions : [...filtered.definitions, definition];
  // Printed as composition prints supergraph.graphql, so the two files diff line by line.
  const sdl = `${printFederationSchema(buildFederationSchema(print({ ...filtered, definitions }))).trimEnd()}\n`;

  try {
    apiSchemaOf(sdl);
  } catch (error) {
    throw new ContractError(contract, [(error as Error).message]);
  }
  return sdl;
}
