import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { composeSupergraph, formatCompositionProblem, readSupergraphConfig } from '#tooling/supergraph.js';
import { schemaVersionOf, type SchemaVersion } from './api-schema.js';

/**
 * Where schema versions come from: composing a supergraph config now, the
 * published directory (`schema/published/`: the API schema clients see and the
 * supergraph it came from), or either of those as of a git ref.
 */
export const API_SCHEMA_FILE = 'schema.graphql';
export const SUPERGRAPH_FILE = 'supergraph.graphql';

const run = promisify(execFile);

/** Composes the config's subgraphs; throws listing every composition problem. */
export async function composeVersion(configFile: string): Promise<SchemaVersion> {
  const config = await readSupergraphConfig(configFile);
  const result = await composeSupergraph(config);
  if (!result.ok) {
    throw new Error(`${result.problems.map(formatCompositionProblem).join('\n')}\nComposition of ${configFile} failed.`);
  }
  return schemaVersionOf(result.supergraphSdl);
}

const readIfThere = (file: string) =>
  readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });

/** The published version, or undefined when nothing was published there yet. */
export async function readPublished(dir: string): Promise<SchemaVersion | undefined> {
  const [apiSdl, supergraphSdl] = await Promise.all([readIfThere(join(dir, API_SCHEMA_FILE)), readIfThere(join(dir, SUPERGRAPH_FILE))]);
  if (apiSdl === undefined && supergraphSdl === undefined) return undefined;
  if (apiSdl === undefined || supergraphSdl === undefined) {
    throw new Error(`${dir} holds only one of ${API_SCHEMA_FILE} and ${SUPERGRAPH_FILE}: publish again.`);
  }
  return { apiSdl, supergraphSdl };
}

export async function writePublished(dir: string, version: SchemaVersion): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, API_SCHEMA_FILE), version.apiSdl);
  await writeFile(join(dir, SUPERGRAPH_FILE), version.supergraphSdl);
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    return (await run('git', ['-C', cwd, ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    const { stderr, message } = error as Error & { stderr?: string };
    throw new Error(`git ${args.join(' ')}: ${(stderr ?? message).trim()}`);
  }
}

/** A file at a ref, or undefined when the ref has no such file. */
async function showAt(root: string, ref: string, path: string): Promise<string | undefined> {
  const listed = await git(root, ['ls-tree', '--name-only', ref, '--', path]);
  return listed.trim() === '' ? undefined : git(root, ['show', `${ref}:${path}`]);
}

function inside(root: string, file: string): string {
  const path = relative(root, resolve(file));
  if (path.startsWith('..') || isAbsolute(path)) throw new Error(`${file} is outside the git repository ${root}.`);
  return path.split('\\').join('/');
}

/** Composes the config's subgraph SDL files as they were at the ref, in a temporary copy. */
async function composeAt(root: string, ref: string, configFile: string): Promise<SchemaVersion> {
  const configPath = inside(root, configFile);
  const configText = await showAt(root, ref, configPath);
  if (configText === undefined) throw new Error(`${ref} has no ${configPath}.`);
  const copy = await mkdtemp(join(tmpdir(), 'junction-schema-at-ref-'));
  try {
    const copied = join(copy, configPath);
    await mkdir(dirname(copied), { recursive: true });
    await writeFile(copied, configText);
    for (const subgraph of (await readSupergraphConfig(copied)).subgraphs) {
      if (!('file' in subgraph.schema)) continue;
      const path = inside(copy, subgraph.schema.file);
      const sdl = await showAt(root, ref, path);
      if (sdl === undefined) throw new Error(`${ref} has no ${path} (subgraph ${subgraph.name}).`);
      await mkdir(dirname(subgraph.schema.file), { recursive: true });
      await writeFile(subgraph.schema.file, sdl);
    }
    return await composeVersion(copied);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

/**
 * The version published at a git ref (e.g. `main`, `v1.2.0`); when nothing was
 * published at that ref, the subgraphs' SDL at that ref, composed.
 */
export async function versionAtGitRef(ref: string, publishedDir: string, configFile: string): Promise<SchemaVersion> {
  const root = (await git(dirname(resolve(configFile)), ['rev-parse', '--show-toplevel'])).trim();
  await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => {
    throw new Error(`${ref} is not a commit in ${root}.`);
  });
  const dir = inside(root, publishedDir);
  const [apiSdl, supergraphSdl] = await Promise.all(
    [API_SCHEMA_FILE, SUPERGRAPH_FILE].map((file) => showAt(root, ref, `${dir}/${file}`)),
  );
  if (apiSdl !== undefined && supergraphSdl !== undefined) return { apiSdl, supergraphSdl };
  return composeAt(root, ref, configFile);
}
