import { readFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { composeServices } from '@apollo/composition';
import { getLocation, GraphQLError, parse, Source, type ASTNode, type DocumentNode } from 'graphql';
import { z } from 'zod';
import type { SubgraphSource, SupergraphConfig } from './supergraph-config.js';

export { expandEnv, readSupergraphConfig, type SubgraphSource, type SupergraphConfig } from './supergraph-config.js';

/**
 * Composition of supergraph.yaml's subgraphs into the supergraph SDL the
 * gateway serves, with every problem attributed to the subgraph(s) at fault.
 */
export type CompositionProblem = {
  subgraphs: string[];
  code: string;
  message: string;
  /** Where in the SDL, as `schema/accounts.graphql:12:9`, when known. */
  locations?: string[];
};

export type ComposeResult =
  | { ok: true; supergraphSdl: string; hints: string[] }
  | { ok: false; problems: CompositionProblem[] };

const INTROSPECTION_TIMEOUT_MS = 10_000;

const serviceResponse = z.object({
  data: z.object({ _service: z.object({ sdl: z.string() }) }).nullish(),
  errors: z.array(z.object({ message: z.string() })).optional(),
});

type Loaded = { name: string; url: string; typeDefs: DocumentNode };

/** How a subgraph's SDL is named in errors: its path relative to the working directory, or its URL. */
function sourceNameOf(schema: SubgraphSource['schema']): string {
  if ('subgraphUrl' in schema) return schema.subgraphUrl;
  const path = relative(process.cwd(), schema.file);
  return path.startsWith('..') || isAbsolute(path) ? schema.file : path;
}

function locationsOf(nodes: readonly ASTNode[] | undefined): string[] {
  return (nodes ?? []).flatMap((node) => {
    if (!node.loc) return [];
    const { line, column } = getLocation(node.loc.source, node.loc.start);
    return [`${node.loc.source.name}:${line}:${column}`];
  });
}

function problem(subgraph: string, code: string, message: string, locations: string[] = []): CompositionProblem {
  return { subgraphs: [subgraph], code, message, ...(locations.length > 0 ? { locations } : {}) };
}

async function fetchSdl(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
    signal: AbortSignal.timeout(INTROSPECTION_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  const body = serviceResponse.safeParse(await response.json().catch(() => undefined));
  if (!body.success) throw new Error('the answer is not a GraphQL response');
  if (body.data.data?._service) return body.data.data._service.sdl;
  throw new Error(body.data.errors?.[0]?.message ?? 'no _service.sdl in the answer');
}

async function loadSubgraph(subgraph: SubgraphSource): Promise<Loaded | CompositionProblem> {
  const sourceName = sourceNameOf(subgraph.schema);
  let text: string;
  if ('file' in subgraph.schema) {
    try {
      text = await readFile(subgraph.schema.file, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      return problem(subgraph.name, 'SCHEMA_FILE_UNREADABLE', `Cannot read ${sourceName}: ${reason}.`);
    }
  } else {
    try {
      text = await fetchSdl(subgraph.schema.subgraphUrl);
    } catch (error) {
      // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND…).
      const { name, message, cause } = error as Error & { cause?: Error };
      const reason = name === 'TimeoutError' ? 'no answer in 10 s' : (cause?.message ?? message);
      return problem(subgraph.name, 'SUBGRAPH_UNREACHABLE', `Cannot fetch the SDL from ${sourceName}: ${reason}.`);
    }
  }
  try {
    return { name: subgraph.name, url: subgraph.routingUrl, typeDefs: parse(new Source(text, sourceName)) };
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const locations = (error.locations ?? []).map(({ line, column }) => `${sourceName}:${line}:${column}`);
    return problem(subgraph.name, 'INVALID_GRAPHQL', error.message, locations);
  }
}

const PREFIX = /^\[([^\]]+)\] /;
const QUOTED_SUBGRAPHS = /\bsubgraphs? ((?:"[^"]+"(?:, | and | or )?)+)/g;

/** The subgraphs a composition error or hint is about, in supergraph.yaml's order. */
function attribute(
  message: string,
  nodes: readonly ASTNode[] | undefined,
  sourceNames: Map<string, string>,
  order: string[],
): string[] {
  const prefixed = PREFIX.exec(message)?.[1];
  if (prefixed !== undefined && order.includes(prefixed)) return [prefixed];
  const found = new Set<string>();
  for (const node of nodes ?? []) {
    // Composition tags most nodes with their subgraph; the Source name covers the rest.
    const tagged = 'subgraph' in node && typeof node.subgraph === 'string' ? node.subgraph : undefined;
    const name = tagged ?? (node.loc ? sourceNames.get(node.loc.source.name) : undefined);
    if (name !== undefined) found.add(name);
  }
  if (found.size === 0) {
    for (const match of message.matchAll(QUOTED_SUBGRAPHS)) {
      for (const [, name] of (match[1] ?? '').matchAll(/"([^"]+)"/g)) if (name) found.add(name);
    }
  }
  return order.filter((name) => found.has(name));
}

/**
 * Loads every subgraph's SDL (file or `_service { sdl }`) and composes them.
 * Unreadable, unreachable or unparsable subgraphs are problems, not exceptions.
 */
export async function composeSupergraph(config: SupergraphConfig): Promise<ComposeResult> {
  const loaded = await Promise.all(config.subgraphs.map(loadSubgraph));
  const problems = loaded.filter((entry): entry is CompositionProblem => 'code' in entry);
  if (problems.length > 0) return { ok: false, problems };
  const services = loaded.filter((entry): entry is Loaded => 'typeDefs' in entry);

  const order = config.subgraphs.map((subgraph) => subgraph.name);
  const sourceNames = new Map(config.subgraphs.map((subgraph) => [sourceNameOf(subgraph.schema), subgraph.name]));
  const result = composeServices(services);
  if (result.errors) {
    return {
      ok: false,
      problems: result.errors.map((error) => ({
        subgraphs: attribute(error.message, error.nodes, sourceNames, order),
        code: typeof error.extensions.code === 'string' ? error.extensions.code : 'COMPOSITION_ERROR',
        message: error.message.replace(PREFIX, ''),
        ...(error.nodes?.some((node) => node.loc) ? { locations: locationsOf(error.nodes) } : {}),
      })),
    };
  }
  const hints = result.hints.map((hint) =>
    formatLine('hint', attribute(hint.message, hint.nodes, sourceNames, order), hint.definition.code, hint.message),
  );
  return { ok: true, supergraphSdl: `${result.supergraphSdl.trimEnd()}\n`, hints };
}

function formatLine(level: string, subgraphs: string[], code: string, message: string): string {
  return `${level}${subgraphs.length > 0 ? `[${subgraphs.join(', ')}]` : ''} ${code}: ${message}`;
}

/** One line, e.g. `error[accounts] INVALID_GRAPHQL: Unknown type Foo (at schema/accounts.graphql:3:9)`; multi-line messages indented. */
export function formatCompositionProblem(p: CompositionProblem): string {
  const where = p.locations && p.locations.length > 0 ? ` (at ${p.locations.join(', ')})` : '';
  return `${formatLine('error', p.subgraphs, p.code, p.message.replace(/\n/g, '\n  '))}${where}`;
}
