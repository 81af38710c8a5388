import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

/*
 * Readers for the files that deploy Junction (Dockerfile, .dockerignore,
 * docker-compose.yml, deploy/k8s/), and for what the code says they must agree
 * with: lib/env.ts's variables, the services' ports, what the runtime imports.
 * Docker cannot run where the tests run, so test/operability/ reads these instead.
 */

export const root = fileURLToPath(new URL('../../', import.meta.url));

export const readText = (file: string): string => readFileSync(join(root, file), 'utf8');

export const exists = (file: string): boolean => existsSync(join(root, file));

// --- Dockerfile -------------------------------------------------------------

export type Instruction = { keyword: string; args: string; stage: string };

/** The Dockerfile's instructions in order, continuation lines joined, comments dropped, each with its stage's name. */
export function parseDockerfile(text: string): Instruction[] {
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const instructions: Instruction[] = [];
  let stage = '';
  let stages = 0;
  for (const line of joined.split('\n')) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    if (keyword === 'FROM') stage = /\s+AS\s+(\S+)$/i.exec(args)?.[1] ?? String(stages++);
    instructions.push({ keyword, args, stage });
  }
  return instructions;
}

/** An instruction's arguments: its JSON array (exec form), or its words with `--flags` left out. */
export function words(args: string): { flags: string[]; words: string[] } {
  if (args.startsWith('[')) return { flags: [], words: JSON.parse(args) as string[] };
  const all = args.split(/\s+/).filter((word) => word.length > 0);
  return { flags: all.filter((word) => word.startsWith('--')), words: all.filter((word) => !word.startsWith('--')) };
}

/** Whether .dockerignore keeps `file` (relative to the repository) out of the build context. */
export function dockerIgnores(patterns: string[], file: string): boolean {
  return patterns.some((pattern) => {
    const regex = new RegExp(
      `^${pattern
        .replace(/^\/+|\/+$/g, '')
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*/g, '\u0000')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/\u0000/g, '.*')}(/.*)?$`,
    );
    return regex.test(file);
  });
}

export function dockerignorePatterns(text: string): string[] {
  const patterns = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  // Exceptions (!pattern) would need Docker's ordered matching; these files use none.
  if (patterns.some((pattern) => pattern.startsWith('!'))) throw new Error('.dockerignore exceptions are not supported here');
  return patterns;
}

// --- docker-compose.yml -----------------------------------------------------

/** Compose's variable interpolation: $$, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}. */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (whole, name?: string, operator?: string, word?: string) => {
    if (whole === '$$') return '$';
    const value = env[name!];
    const unset = operator?.startsWith(':') ? value === undefined || value === '' : value === undefined;
    if (!unset) return value!;
    if (operator?.endsWith('?')) throw new Error(`${name}: ${word}`);
    return operator?.endsWith('-') ? word! : '';
  });
}

function interpolateAll(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item, env)]));
  }
  return value;
}

export type ComposeService = {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  ports?: (string | number)[];
  profiles?: string[];
  stop_grace_period?: string;
};

/** docker-compose.yml with its `<<` merges applied and variables interpolated from `env`. */
export function readCompose(env: Record<string, string | undefined>): { services: Record<string, ComposeService> } {
  const raw: unknown = parseYaml(readText('docker-compose.yml'), { merge: true });
  return interpolateAll(raw, env) as { services: Record<string, ComposeService> };
}

/** A compose service's environment as strings, whichever of its two forms it uses. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const environment = service.environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(environment.map((entry) => [entry.split('=')[0]!, entry.slice(entry.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value)]));
}

/** Compose durations: 1m30s, 45s, 500ms. */
export function durationMs(duration: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001 };
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g)) total += Number(amount) * units[unit!]!;
  return total;
}

// --- Kubernetes -------------------------------------------------------------

/** The parts of the Kubernetes objects these tests read. */
type Metadata = { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
export type Probe = { httpGet?: { path: string; port: number | string } };
export type Container = {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
};
export type Deployment = {
  kind: 'Deployment';
  metadata: Metadata;
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: Metadata;
      spec: {
        terminationGracePeriodSeconds?: number;
        securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
        containers: Container[];
      };
    };
  };
};
export type Service = {
  kind: 'Service';
  metadata: Metadata;
  spec: { selector: Record<string, string>; ports: { port: number; targetPort?: number | string }[] };
};
export type HorizontalPodAutoscaler = {
  kind: 'HorizontalPodAutoscaler';
  metadata: Metadata;
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: { type: string; resource?: { name: string; target: { type: string; averageUtilization?: number } } }[];
  };
};
export type ConfigMap = { kind: 'ConfigMap'; metadata: Metadata; data: Record<string, string> };
export type Secret = { kind: 'Secret'; metadata: Metadata; stringData: Record<string, string> };
export type Manifest =
  | Deployment
  | Service
  | HorizontalPodAutoscaler
  | ConfigMap
  | Secret
  | { kind: 'Namespace'; metadata: Metadata };

/** Every object in the given YAML files of `dir`, each with the file it came from. */
export function readManifests(dir: string, files: string[]): (Manifest & { file: string })[] {
  return files.flatMap((file) =>
    parseAllDocuments(readText(join(dir, file)))
      .map((document) => document.toJS() as Manifest | null)
      .filter((manifest): manifest is Manifest => manifest !== null)
      .map((manifest) => ({ ...manifest, file })),
  );
}

// --- What the code says -----------------------------------------------------

/** The variables lib/env-schema.ts's schema declares, read from its source. */
export function envSchemaNames(): string[] {
  const source = readText('lib/env-schema.ts');
  const start = source.indexOf('.object({');
  const end = source.indexOf('\n  })', start);
  if (start < 0 || end < 0) throw new Error('lib/env-schema.ts: cannot find the schema object');
  return [...source.slice(start, end).matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((match) => match[1]!);
}

/** The `${env.NAME}` variables supergraph.yaml expands (read when the gateway's container composes it). */
export function supergraphConfigNames(): string[] {
  return [...readText('supergraph.yaml').matchAll(/\$\{env\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]!);
}

/** Each service's port when PORT is unset: the gateway's from its CLI, each subgraph's from its index.ts. */
export function defaultPorts(): Record<string, number> {
  const ports: Record<string, number> = {};
  const gateway = /env\.PORT \?\? (\d+)/.exec(readText('gateway/src/index.ts'));
  if (!gateway) throw new Error('gateway/src/index.ts: cannot find the default port');
  ports.gateway = Number(gateway[1]);
  for (const name of ['accounts', 'products', 'inventory', 'reviews']) {
    const subgraph = /runSubgraph\('([a-z]+)', (\d+)/.exec(readText(`subgraphs/${name}/src/index.ts`));
    if (subgraph?.[1] !== name) throw new Error(`subgraphs/${name}/src/index.ts: cannot find the default port`);
    ports[name] = Number(subgraph[2]);
  }
  return ports;
}

const IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
/** gateway/src/http/ide.ts loads GraphiQL and React by name (require.resolve), not by import. */
const LOADED_BY_NAME = /\bfindPackage\(\s*'([^']+)'\s*\)/g;

/** package.json's "imports": the path aliases the sources use. */
const ALIASES: Record<string, string> = { '#gateway/': 'gateway/src', '#lib/': 'lib', '#tooling/': 'tooling' };

function resolveModule(from: string, specifier: string): string {
  const alias = Object.entries(ALIASES).find(([prefix]) => specifier.startsWith(prefix));
  const target = alias ? join(alias[1], specifier.slice(alias[0].length)) : normalize(join(dirname(from), specifier));
  if (exists(target)) return target;
  const typescript = target.replace(/\.js$/, '.ts');
  if (exists(typescript)) return typescript;
  throw new Error(`${from}: cannot resolve "${specifier}"`);
}

const packageName = (specifier: string): string =>
  specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** One module a source file imports: a source file of the repository, or a package (node's built-ins are left out). */
export type Import = { typeOnly: boolean } & ({ file: string } | { package: string });

/**
 * What `file` imports, statically or with `import()`, each marked `typeOnly`
 * when the import is erased at run time (`import type`, `export type ... from`).
 */
export function importsOf(file: string): Import[] {
  const source = readText(file);
  const specifiers = [
    ...[...source.matchAll(IMPORT)].map((match) => ({ specifier: match[2]!, typeOnly: Boolean(match[1]) })),
    ...[...source.matchAll(DYNAMIC_IMPORT)].map((match) => ({ specifier: match[1]!, typeOnly: false })),
  ];
  const imports: Import[] = [];
  for (const { specifier, typeOnly } of specifiers) {
    if (specifier.startsWith('.') || specifier.startsWith('#')) imports.push({ typeOnly, file: resolveModule(file, specifier) });
    else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) imports.push({ typeOnly, package: packageName(specifier) });
  }
  return imports;
}

/**
 * Every source file reachable from `entries` through imports loaded at run time
 * (type-only imports are erased), and every package those files load.
 */
export function runtimeGraph(entries: string[]): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const [, name] of readText(file).matchAll(LOADED_BY_NAME)) packages.add(name!);
    for (const loaded of importsOf(file)) {
      if (loaded.typeOnly) continue;
      if ('file' in loaded) queue.push(loaded.file);
      else packages.add(loaded.package);
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}
