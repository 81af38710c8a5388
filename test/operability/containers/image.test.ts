import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dockerignorePatterns,
  dockerIgnores,
  exists,
  readText,
  root,
  runtimeGraph,
  words,
} from '../../support/container-files.js';
import { dockerfile, finalStage, KNOWN_VARIABLES, lock, only, pkg, ports, PROBES, SUBGRAPHS } from '../../support/container-config.js';

/*
 * Docker cannot run here, so these tests run the container's entry point with a
 * `node` that only records how it was called, and read the Dockerfile: the
 * commands, the files the image ships and loads, its user and its health check.
 */


const sandbox = mkdtempSync(join(tmpdir(), 'junction-entrypoint-'));
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));
writeFileSync(join(sandbox, 'node'), '#!/bin/sh\nfor a in "$@"; do printf "%s\\t" "$a"; done >> "$NODE_CALLS"\necho >> "$NODE_CALLS"\n');
chmodSync(join(sandbox, 'node'), 0o755);

function runEntrypoint(args: string[]): { status: number | null; calls: string[][]; stderr: string } {
  const calls = join(sandbox, `calls-${Math.random().toString(36).slice(2)}`);
  writeFileSync(calls, '');
  const result = spawnSync('sh', ['deploy/docker-entrypoint.sh', ...args], {
    cwd: root,
    env: { PATH: `${sandbox}:${process.env.PATH}`, NODE_CALLS: calls, TMPDIR: sandbox },
    encoding: 'utf8',
  });
  const recorded = readFileSync(calls, 'utf8').split('\n').filter((line) => line.length > 0);
  return { status: result.status, stderr: result.stderr, calls: recorded.map((line) => line.split('\t').slice(0, -1)) };
}

/** The node arguments an npm script amounts to: `tsx FILE` is `node --import tsx FILE`. */
function nodeArguments(script: string): string[] {
  const [command, ...rest] = script.split(' ');
  if (command === 'tsx') return ['--import', 'tsx', ...rest];
  if (command === 'node') return rest;
  throw new Error(`not a node or tsx script: ${script}`);
}

const SERVICE_SCRIPTS: Record<string, string> = {
  ...Object.fromEntries(SUBGRAPHS.map((name) => [name, `start:${name}`])),
  seed: 'db:seed',
  migrate: 'db:migrate',
};

describe('the entry point (deploy/docker-entrypoint.sh)', () => {
  it.each(Object.entries(SERVICE_SCRIPTS))('runs %s as `npm run %s` would, through exec', (service, script) => {
    const { status, calls } = runEntrypoint([service]);
    expect(status).toBe(0);
    expect(calls).toEqual([nodeArguments(pkg.scripts[script]!)]);
  });

  it('composes supergraph.yaml and its contracts as `npm run compose` does, then runs the gateway with its node options and every contract', () => {
    const out = join(sandbox, 'junction');
    // What compose writes for contracts.yaml's partner contract (node is a stub here).
    mkdirSync(join(out, 'contracts'), { recursive: true });
    writeFileSync(join(out, 'contracts', 'partner.graphql'), '');
    const { status, calls } = runEntrypoint(['gateway', '--workers', '2']);
    const supergraph = join(out, 'supergraph.graphql');
    expect(status).toBe(0);
    expect(calls[0]).toEqual([...nodeArguments(pkg.scripts.compose!), '--output', supergraph, '--contracts', join(out, 'contracts.yaml')]);
    expect(readFileSync(join(out, 'contracts.yaml'), 'utf8')).toBe(readText('contracts.yaml'));
    const started = nodeArguments(pkg.scripts['start:gateway']!);
    const shebangOptions = readText('bin/junction.js').split('\n')[0]!.split(' ').filter((word) => word.startsWith('--'));
    expect(calls[1]).toEqual([
      ...started.slice(0, started.indexOf('--supergraph')),
      ...['--supergraph', supergraph, '--workers', '2', '--contract', `partner=${join(out, 'contracts', 'partner.graphql')}`],
    ]);
    expect(calls[1]).toEqual(expect.arrayContaining(shebangOptions));
  });

  it('serves a supergraph given with --supergraph as it is, and refuses an unknown service', () => {
    expect(runEntrypoint(['gateway', '--supergraph', '/config/supergraph.graphql']).calls).toEqual([
      ['--max-semi-space-size=64', 'bin/junction.js', 'gateway', '--supergraph', '/config/supergraph.graphql'],
    ]);
    const unknown = runEntrypoint(['billing']);
    expect([unknown.status, unknown.calls]).toEqual([2, []]);
    expect(unknown.stderr).toContain('Unknown service "billing"');
  });
});

// --- The image ---

const entrypointFiles = [...Object.keys(SERVICE_SCRIPTS), 'gateway']
  .flatMap((service) => runEntrypoint([service]).calls)
  .map((call) => call.find((word) => /\.(ts|js)$/.test(word))!);

describe('the image (Dockerfile, .dockerignore)', () => {
  it('builds on Node 24 in stages: npm ci to check the code, npm ci --omit=dev for what ships', () => {
    const froms = dockerfile.filter((instruction) => instruction.keyword === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from.args).toMatch(/^node:24[-.\w]*(\s|$)/);
    const runs = dockerfile.filter((instruction) => instruction.keyword === 'RUN').map((run) => run.args);
    expect(runs.some((run) => /npm ci(?!.*--omit=dev)/.test(run))).toBe(true);
    const modules = only('COPY').find((copy) => words(copy.args).words.some((word) => word.endsWith('/node_modules')))!;
    const from = words(modules.args).flags.find((flag) => flag.startsWith('--from='))!.slice('--from='.length);
    const installs = dockerfile.filter((instruction) => instruction.stage === from && instruction.keyword === 'RUN');
    expect(installs.map((run) => run.args).join('\n')).toMatch(/npm ci --omit=dev/);
    for (const run of runs) {
      for (const [, script] of run.matchAll(/npm run (\S+)/g)) expect(pkg.scripts, `npm run ${script}`).toHaveProperty([script!]);
    }
  });

  it('runs as a user other than root, in production, through the entry point', () => {
    const user = only('USER').at(-1)?.args.split(':')[0];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const env = Object.fromEntries(only('ENV').map((instruction) => instruction.args.split('=') as [string, string]));
    expect(env.NODE_ENV).toBe('production');
    for (const name of Object.keys(env)) expect(KNOWN_VARIABLES).toContain(name);
    expect(words(only('ENTRYPOINT')[0]!.args).words).toEqual(['/bin/sh', 'deploy/docker-entrypoint.sh']);
    expect(words(only('CMD')[0]!.args).words).toEqual(['gateway']);
  });

  it('checks its health with GET /health on the service it runs', () => {
    const [, command] = /^(?:--\S+\s+)*CMD\s+(.*)$/.exec(only('HEALTHCHECK')[0]!.args) ?? [];
    expect(words(command ?? '').words).toEqual(['node', 'deploy/healthcheck.js']);
    const script = readText('deploy/healthcheck.js');
    expect(script).toContain(`${PROBES.liveness}\``);
    expect(script).toContain('process.env.PORT');
    for (const port of Object.values(ports)) expect(script).toContain(`'${port}'`);
    const exposed = only('EXPOSE').flatMap((expose) => words(expose.args).words.map(Number));
    expect(exposed.sort()).toEqual(Object.values(ports).sort());
  });

  it('contains every file the entry point runs and everything those load', () => {
    const graph = runtimeGraph([...entrypointFiles, 'deploy/healthcheck.js']);
    const migrations = ['gateway', ...SUBGRAPHS.map((name) => `subgraphs/${name}`)].flatMap((owner) =>
      readdirSync(join(root, owner, 'drizzle'), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath.slice(root.length), entry.name)),
    );
    const data = ['package.json', 'tsconfig.json', 'supergraph.yaml', 'contracts.yaml', ...SUBGRAPHS.map((name) => `schema/${name}.graphql`)];
    const needed = [...graph.files, ...migrations, ...data, 'deploy/docker-entrypoint.sh'];
    expect(entrypointFiles.every(exists)).toBe(true);

    const ignored = dockerignorePatterns(readText('.dockerignore'));
    expect(needed.filter((file) => dockerIgnores(ignored, file))).toEqual([]);
    const build = dockerfile.filter((instruction) => instruction.stage !== finalStage && instruction.keyword === 'COPY');
    expect(build.map((copy) => copy.args)).toContain('. .');
    const shipped = only('COPY')
      .filter((copy) => words(copy.args).flags.some((flag) => flag.startsWith('--from=build')))
      .flatMap((copy) => words(copy.args).words.slice(0, -1))
      .map((source) => source.replace(/^\/app\//, ''));
    const missing = needed.filter((file) => !shipped.some((source) => file === source || file.startsWith(`${source}/`)));
    expect(missing).toEqual([]);
  });

  it('installs every package the runtime loads with npm ci --omit=dev, tsx among them', () => {
    const { packages } = runtimeGraph(entrypointFiles);
    expect(packages).toEqual(expect.arrayContaining(['tsx', 'graphiql', 'react', 'react-dom']));
    const omitted = packages.filter((name) => !lock.packages[`node_modules/${name}`] || lock.packages[`node_modules/${name}`]!.dev);
    expect(omitted, 'loaded at run time but not installed by npm ci --omit=dev').toEqual([]);
    expect(pkg.dependencies).toHaveProperty('tsx');
  });
});

