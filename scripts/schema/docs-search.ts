import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { SEARCH_INDEX_GLOBAL } from './docs-search-script.js';
import { KIND_LABELS, kindOf } from './docs-types.js';

/**
 * A site's search index: its pages (and the Getting started page's parts),
 * its types, their fields, arguments and enum values, its registered
 * operations and the error codes, each with the href of where it is
 * documented (relative to the site's folder) and a line of detail that is
 * searched too. Written as `search-index.js`, a script that sets one global,
 * so pages opened from disk can load it.
 */
export type SearchEntry = { name: string; kind: string; href: string; detail: string };
export type SearchIndex = { format: 'junction-docs-search'; version: 1; entries: SearchEntry[] };

const DETAIL_LENGTH = 120;

/** A description's first paragraph as plain text on one line, cut to a line's length. */
export function plainSummary(description: string | null | undefined): string {
  const first = (description ?? '').trim().split(/\n\s*\n/)[0] ?? '';
  const text = first.replace(/`/g, '').replace(/\*\*/g, '').replace(/\s+/g, ' ').trim();
  return text.length > DETAIL_LENGTH ? `${text.slice(0, DETAIL_LENGTH - 1)}…` : text;
}

const joined = (...parts: string[]) => parts.filter((part) => part !== '').join(' · ');

export type SearchInput = {
  schema: GraphQLSchema;
  /** The types the site documents, in the order it lists them. */
  types: readonly GraphQLNamedType[];
  shows(coordinate: string): boolean;
  /** Where an element is documented, relative to the site's folder. */
  href(coordinate: string): string;
  pages: readonly SearchEntry[];
  operations: readonly SearchEntry[];
  errors: readonly SearchEntry[];
};

function membersOf(type: GraphQLNamedType, input: SearchInput): SearchEntry[] {
  const entry = (coordinate: string, kind: string, detail: string): SearchEntry[] =>
    input.shows(coordinate) ? [{ name: coordinate, kind, href: input.href(coordinate), detail }] : [];
  if (isObjectType(type) || isInterfaceType(type)) {
    return Object.values(type.getFields()).flatMap((field) => [
      ...entry(`${type.name}.${field.name}`, 'field', joined(String(field.type), plainSummary(field.description))),
      ...field.args.flatMap((argument) =>
        entry(`${type.name}.${field.name}(${argument.name}:)`, 'argument', joined(String(argument.type), plainSummary(argument.description))),
      ),
    ]);
  }
  if (isInputObjectType(type)) {
    return Object.values(type.getFields()).flatMap((field) => entry(`${type.name}.${field.name}`, 'field', joined(String(field.type), plainSummary(field.description))));
  }
  if (isEnumType(type)) return type.getValues().flatMap((value) => entry(`${type.name}.${value.name}`, 'value', plainSummary(value.description)));
  return [];
}

export function buildSearchIndex(input: SearchInput): SearchIndex {
  const types = input.types.map((type) => ({ name: type.name, kind: KIND_LABELS[kindOf(type)], href: input.href(type.name), detail: plainSummary(type.description) }));
  const members = input.types.flatMap((type) => membersOf(type, input));
  return { format: 'junction-docs-search', version: 1, entries: [...input.pages, ...types, ...input.operations, ...input.errors, ...members] };
}

/** The index as the script file pages load: JSON, assigned to the global the inline script reads. */
export function renderSearchIndexScript(index: SearchIndex): string {
  return `window.${SEARCH_INDEX_GLOBAL} = ${JSON.stringify(index)};\n`;
}

/** The index back from its script file: for tests and tools. */
export function parseSearchIndexScript(script: string): SearchIndex {
  const prefix = `window.${SEARCH_INDEX_GLOBAL} = `;
  if (!script.startsWith(prefix) || !script.endsWith(';\n')) throw new Error('not a docs search index script');
  return JSON.parse(script.slice(prefix.length, -2)) as SearchIndex;
}
