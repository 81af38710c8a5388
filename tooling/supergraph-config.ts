import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * supergraph.yaml, in Apollo rover's format: which subgraphs make up the
 * supergraph, where the gateway routes to each, and where its SDL comes from.
 */
export type SubgraphSource = {
  name: string;
  routingUrl: string;
  /** `file` is absolute, resolved against the YAML file's directory as rover does. */
  schema: { file: string } | { subgraphUrl: string };
};

export type SupergraphConfig = { federationVersion: string; subgraphs: SubgraphSource[] };

const require = createRequire(import.meta.url);
const { version: installedVersion } = require('@apollo/composition/package.json') as { version: string };

const ENV_REFERENCE = /\$\{env\.([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function substitute(text: string, env: Record<string, string | undefined>, missing: Set<string>): string {
  return text.replace(ENV_REFERENCE, (reference, name: string, fallback: string | undefined) => {
    // Empty counts as unset, as in lib/env.ts: an empty routing URL is never what was meant.
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    missing.add(name);
    return reference;
  });
}

function missingError(missing: Set<string>): Error {
  const names = [...missing].join(', ');
  return new Error(`Environment variables not set, with no \${env.NAME:-default} to fall back on: ${names}.`);
}

/** Rover's variable syntax: `${env.NAME}` and `${env.NAME:-default}`; throws listing every unset NAME. */
export function expandEnv(text: string, env: Record<string, string | undefined>): string {
  const missing = new Set<string>();
  const expanded = substitute(text, env, missing);
  if (missing.size > 0) throw missingError(missing);
  return expanded;
}

/** Expands every string value of parsed YAML (not comments, not keys), as rover does. */
function expandValues(value: unknown, env: Record<string, string | undefined>, missing: Set<string>): unknown {
  if (typeof value === 'string') return substitute(value, env, missing);
  if (Array.isArray(value)) return value.map((item) => expandValues(item, env, missing));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expandValues(item, env, missing)]));
  }
  return value;
}

/** Zod messages that read as `key: is required`, `key: must be …`, `key: unknown key "x"`. */
const expected =
  (what: string): z.core.$ZodErrorMap =>
  (issue) => {
    if (issue.code === 'unrecognized_keys') return `unknown key ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    return issue.input === undefined ? 'is required' : `must be ${what}`;
  };

const httpUrl = z.string({ error: expected('a string') }).refine((value) => {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  return url?.protocol === 'http:' || url?.protocol === 'https:';
}, 'must be an http(s) URL');

const schemaSource = z
  .strictObject(
    {
      file: z.string().min(1, 'must not be empty').optional(),
      subgraph_url: httpUrl.optional(),
      // Accepted here only to say clearly that they are not supported.
      graphref: z.unknown().optional(),
      subgraph: z.unknown().optional(),
      sdl: z.unknown().optional(),
    },
    { error: expected('a mapping') },
  )
  .superRefine((source, ctx) => {
    if (source.graphref !== undefined || source.subgraph !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['graphref'],
        message: 'fetching a subgraph from GraphOS is not supported here; use file or subgraph_url',
      });
    } else if (source.sdl !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['sdl'], message: 'inline SDL is not supported here; put it in a file' });
    } else if ((source.file === undefined) === (source.subgraph_url === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of file or subgraph_url' });
    }
  });

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((version) => version.split('.').map(Number));
  for (let i = 0; i < 3; i++) {
    const difference = (x?.[i] ?? 0) - (y?.[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Why this composition library cannot honour `federation_version`, if it cannot. */
function versionProblem(requested: string): string | undefined {
  if (requested.startsWith('=') && requested.slice(1) !== installedVersion) {
    return `pins ${requested} but @apollo/composition ${installedVersion} is installed: write "=${installedVersion}"`;
  }
  if (!requested.startsWith('=') && requested !== '2' && compareVersions(installedVersion, requested) < 0) {
    return `asks for ${requested} or later but @apollo/composition ${installedVersion} is installed: write "=${installedVersion}"`;
  }
  return undefined;
}

const FEDERATION_VERSION = /^(=?2\.\d+\.\d+|2)$/;

const configSchema = z.strictObject(
  {
    // YAML reads `federation_version: 2` as a number.
    federation_version: z
      .union([z.string(), z.number()], { error: expected('a string') })
      .transform(String)
      .superRefine((value, ctx) => {
        const message = FEDERATION_VERSION.test(value)
          ? versionProblem(value)
          : `must be "=2.x.y" (exactly), "2.x.y" (at least) or "2"; got "${value}"`;
        if (message) ctx.addIssue({ code: 'custom', message });
      }),
    subgraphs: z
      .record(
        z.string(),
        z.strictObject({ routing_url: httpUrl, schema: schemaSource }, { error: expected('a mapping') }),
        { error: expected('a mapping of subgraph names') },
      )
      .refine((subgraphs) => Object.keys(subgraphs).length > 0, 'must name at least one subgraph'),
  },
  { error: expected('a mapping with federation_version and subgraphs') },
);

/** Reads a rover-format supergraph.yaml, expands `${env.*}`, and validates it, listing every problem. */
export async function readSupergraphConfig(
  file: string,
  env: Record<string, string | undefined> = process.env,
): Promise<SupergraphConfig> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`Cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`);
  });
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new Error(`${file} is not valid YAML: ${(error as Error).message}`);
  }
  const missing = new Set<string>();
  const expanded = expandValues(raw, env, missing);
  if (missing.size > 0) throw new Error(`${file}: ${missingError(missing).message}`);

  const result = configSchema.safeParse(expanded);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new Error(`Invalid supergraph config ${file}:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  }

  const directory = dirname(resolve(file));
  return {
    federationVersion: result.data.federation_version,
    subgraphs: Object.entries(result.data.subgraphs).map(([name, subgraph]) => ({
      name,
      routingUrl: subgraph.routing_url,
      schema:
        subgraph.schema.file !== undefined
          ? { file: resolve(directory, subgraph.schema.file) }
          : { subgraphUrl: subgraph.schema.subgraph_url! },
    })),
  };
}
