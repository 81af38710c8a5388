import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnv, type Env } from '#lib/env.js';
import { shutdownTimeoutMs } from '#lib/shutdown.js';
import { readSupergraphConfig } from '#lib/supergraph.js';
import {
  defaultPorts,
  dockerignorePatterns,
  dockerIgnores,
  durationMs,
  environmentOf,
  envSchemaNames,
  exists,
  interpolate,
  parseDockerfile,
  readCompose,
  readManifests,
  readText,
  root,
  runtimeGraph,
  supergraphConfigNames,
  words,
  type ConfigMap,
  type Container,
  type Deployment,
  type HorizontalPodAutoscaler,
  type Secret,
  type Service,
} from '../support/container-files.js';

/*
 * Docker cannot run here, so these tests read the Dockerfile, docker-compose.yml
 * and deploy/k8s/ and check that they agree with the code: ports, probe paths,
 * environment variables, the commands they run and the files those load.
 */

const pkg = JSON.parse(readText('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
const lock = JSON.parse(readText('package-lock.json')) as { packages: Record<string, { dev?: boolean }> };
const ports = defaultPorts();
const SUBGRAPHS = ['accounts', 'products', 'inventory', 'reviews'];
/** What lib/env.ts reads, and what supergraph.yaml expands when the gateway's container composes it. */
const KNOWN_VARIABLES = new Set([...envSchemaNames(), ...supergraphConfigNames()]);
const PROBES = { liveness: '/health', readiness: '/ready', metrics: '/metrics' };

/** The environment a process would boot with, as lib/env.ts parses it; fails listing its problems. */
function bootEnv(variables: Record<string, string>): Env {
  const unknown = Object.keys(variables).filter((name) => !KNOWN_VARIABLES.has(name));
  expect(unknown, 'variables lib/env.ts does not know').toEqual([]);
  const result = parseEnv(variables);
  if (!result.ok) expect.fail(`invalid environment: ${result.problems.join('; ')}`);
  return result.env;
}

/** `<name>_URL` variables naming a subgraph must reach it at its port, on a host `hosts` says it is on. */
function expectRoutingUrls(variables: Record<string, string>, hosts: Record<string, number>): void {
  for (const name of SUBGRAPHS) {
    const value = variables[`${name.toUpperCase()}_URL`];
    if (value === undefined) continue;
    const url = new URL(value);
    expect([url.hostname, Number(url.port), url.pathname], value).toEqual([name, ports[name], '/graphql']);
    expect(hosts[url.hostname], `${url.hostname} serves ${ports[name]}`).toBe(ports[name]);
  }
}

// --- The entry point, run with a `node` that only records how it was called ---

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

const dockerfile = parseDockerfile(readText('Dockerfile'));
const finalStage = dockerfile.at(-1)!.stage;
const final = dockerfile.filter((instruction) => instruction.stage === finalStage);
const only = (keyword: string) => final.filter((instruction) => instruction.keyword === keyword);
const entrypointFiles = [...Object.keys(SERVICE_SCRIPTS), 'gateway']
  .flatMap((service) => runEntrypoint([service]).calls)
  .map((call) => call.find((word) => /\.(ts|js)$/.test(word))!);

describe('the image (Dockerfile, .dockerignore)', () => {
  it('builds on Node 20 in stages: npm ci to check the code, npm ci --omit=dev for what ships', () => {
    const froms = dockerfile.filter((instruction) => instruction.keyword === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from.args).toMatch(/^node:20[-.\w]*(\s|$)/);
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

// --- docker-compose.yml ---

const DOT_ENV = { GATEWAY_SECRET: 'a-compose-test-secret-of-more-than-32-characters' };
const compose = readCompose(DOT_ENV);
const junctionServices = Object.entries(compose.services).filter(([, service]) => service.image === 'junction:local');
const imageEnv = { NODE_ENV: 'production' };

describe('docker-compose.yml', () => {
  it('builds one image and runs each Junction service through the entry point', () => {
    const commands = junctionServices.map(([, service]) => service.command?.[0]);
    expect(commands.sort()).toEqual(['accounts', 'gateway', 'inventory', 'products', 'reviews', 'seed']);
    for (const [, service] of junctionServices) expect(service.build).toBe('.');
  });

  it('gives each service an environment lib/env.ts accepts in production, its own port, and routing URLs that reach the others', () => {
    const hosts = Object.fromEntries(
      junctionServices.map(([name, service]) => [name, Number(environmentOf(service).PORT ?? ports[service.command![0]!])]),
    );
    for (const [name, service] of junctionServices) {
      const variables = { ...imageEnv, ...environmentOf(service) };
      const env = bootEnv(variables);
      expect(env.production, name).toBe(true);
      expect(env.DATABASE_URL, name).toMatch(/@postgres:5432\//);
      if (name !== 'seed') expect(env.PORT, name).toBe(ports[service.command![0]!]);
      expectRoutingUrls(variables, hosts);
    }
  });

  it('composes the gateway supergraph with routes to the subgraph containers', async () => {
    const gateway = compose.services.gateway!;
    const config = await readSupergraphConfig(join(root, 'supergraph.yaml'), environmentOf(gateway));
    expect(config.subgraphs.map((subgraph) => subgraph.routingUrl)).toEqual(
      config.subgraphs.map((subgraph) => `http://${subgraph.name}:${ports[subgraph.name]}/graphql`),
    );
    expect(config.subgraphs.every((subgraph) => compose.services[subgraph.name]?.command?.[0] === subgraph.name)).toBe(true);
    expect(gateway.ports).toEqual([`${ports.gateway}:${ports.gateway}`]);
    expect(environmentOf(gateway).REDIS_URL).toBe('redis://redis:6379');
  });

  it('starts the gateway once the subgraphs, Redis and Postgres are healthy, each checked on /health', () => {
    const dependsOn = compose.services.gateway!.depends_on as Record<string, { condition?: string }>;
    for (const name of [...SUBGRAPHS, 'redis', 'postgres']) expect(dependsOn[name]?.condition, name).toBe('service_healthy');
    for (const name of [...SUBGRAPHS, 'redis', 'postgres']) expect(compose.services[name]!.healthcheck?.test?.length, name).toBeGreaterThan(0);
    for (const name of [...SUBGRAPHS, 'gateway']) {
      expect(compose.services[name]!.healthcheck?.test).toEqual(['CMD', 'node', 'deploy/healthcheck.js']);
    }
  });

  it('gives each service longer to stop than its own shutdown can take', () => {
    for (const [name, service] of junctionServices) {
      const env = bootEnv({ ...imageEnv, ...environmentOf(service) });
      expect(durationMs(service.stop_grace_period ?? '10s'), name).toBeGreaterThan(shutdownTimeoutMs(env));
    }
  });

  it('refuses to start without a GATEWAY_SECRET', () => {
    expect(() => readCompose({})).toThrow(/GATEWAY_SECRET/);
    expect(interpolate('${A:-x} ${B:?needed} $$', { B: 'b' })).toBe('x b $');
  });
});

// --- Kubernetes ---

const k8sDir = 'deploy/k8s';
const k8sFiles = readdirSync(join(root, k8sDir)).filter((file) => file.endsWith('.yaml'));
const manifests = readManifests(k8sDir, k8sFiles);
const ofKind = <T>(kind: string) => manifests.filter((manifest) => manifest.kind === kind) as unknown as (T & { file: string })[];
const deployments = ofKind<Deployment>('Deployment');
const services = ofKind<Service>('Service');
const configMaps = ofKind<ConfigMap>('ConfigMap');
const secrets = ofKind<Secret>('Secret');
const containerOf = (deployment: Deployment): Container => deployment.spec.template.spec.containers[0]!;

function podEnv(container: Container): Record<string, string> {
  const variables: Record<string, string> = { ...imageEnv };
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(variables, configMaps.find((map) => map.metadata.name === source.configMapRef!.name)!.data);
    if (source.secretRef) Object.assign(variables, secrets.find((secret) => secret.metadata.name === source.secretRef!.name)!.stringData);
  }
  for (const variable of container.env ?? []) variables[variable.name] = variable.value!;
  return variables;
}

describe('the Kubernetes manifests (deploy/k8s)', () => {
  it('deploy the gateway and every subgraph, each with a Service on its port', () => {
    expect(deployments.map((deployment) => containerOf(deployment).args?.[0]).sort()).toEqual(Object.keys(ports).sort());
    for (const deployment of deployments) {
      const container = containerOf(deployment);
      const port = ports[container.args![0]!]!;
      expect(container.ports, deployment.metadata.name).toEqual([{ name: 'http', containerPort: port }]);
      expect(podEnv(container).PORT).toBe(String(port));
      const service = services.find((candidate) => candidate.metadata.name === deployment.metadata.name)!;
      expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
      expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
      expect(service.spec.ports.map((entry) => [entry.port, entry.targetPort])).toEqual([[port, 'http']]);
    }
  });

  it('probe liveness on /health and readiness on /ready, and annotate /metrics for scraping', () => {
    for (const deployment of deployments) {
      const container = containerOf(deployment);
      expect(container.livenessProbe?.httpGet).toEqual({ path: PROBES.liveness, port: 'http' });
      expect(container.startupProbe?.httpGet).toEqual({ path: PROBES.liveness, port: 'http' });
      expect(container.readinessProbe?.httpGet).toEqual({ path: PROBES.readiness, port: 'http' });
      expect(deployment.spec.template.metadata.annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(container.ports![0]!.containerPort),
        'prometheus.io/path': PROBES.metrics,
      });
      expect((bootEnv(podEnv(container)) as Record<string, unknown>).METRICS).not.toBe(false);
    }
  });

  it('configure every pod through the ConfigMap and the Secret, as lib/env.ts accepts in production', () => {
    const hosts = Object.fromEntries(services.map((service) => [service.metadata.name, service.spec.ports[0]!.port]));
    for (const deployment of deployments) {
      const variables = podEnv(containerOf(deployment));
      expect(bootEnv(variables).production).toBe(true);
      expectRoutingUrls(variables, hosts);
    }
    const [config] = configMaps;
    const [secret] = secrets;
    expect(Object.keys(secret!.stringData).sort()).toEqual(['DATABASE_URL', 'GATEWAY_SECRET']);
    for (const value of Object.values(secret!.stringData)) expect(value).toContain('REPLACE-ME');
    expect(config!.data).not.toHaveProperty('GATEWAY_SECRET');
    expect(config!.data).not.toHaveProperty('DATABASE_URL');
  });

  it('compose the gateway supergraph with routes to the subgraph Services', async () => {
    const gateway = deployments.find((deployment) => deployment.metadata.name === 'gateway')!;
    const config = await readSupergraphConfig(join(root, 'supergraph.yaml'), podEnv(containerOf(gateway)));
    for (const subgraph of config.subgraphs) {
      const service = services.find((candidate) => candidate.metadata.name === new URL(subgraph.routingUrl).hostname);
      expect(service?.spec.ports[0]!.port, subgraph.routingUrl).toBe(ports[subgraph.name]);
    }
  });

  it('give pods resources, a non-root user, and longer to stop than their shutdown can take', () => {
    const imageUser = Number(only('USER').at(-1)!.args.split(':')[0]);
    for (const deployment of deployments) {
      const pod = deployment.spec.template.spec;
      const container = containerOf(deployment);
      for (const kind of ['requests', 'limits'] as const) expect(Object.keys(container.resources?.[kind] ?? {}).sort()).toEqual(['cpu', 'memory']);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: imageUser });
      // The gateway writes its composed supergraph under /tmp, and tsx its cache.
      expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
      expect(container.volumeMounts?.map((mount) => mount.mountPath)).toContain('/tmp');
      const env = bootEnv(podEnv(container));
      expect((pod.terminationGracePeriodSeconds ?? 30) * 1000, deployment.metadata.name).toBeGreaterThan(shutdownTimeoutMs(env));
    }
  });

  it('scale the gateway on CPU with a HorizontalPodAutoscaler', () => {
    const [hpa] = ofKind<HorizontalPodAutoscaler>('HorizontalPodAutoscaler');
    const gateway = deployments.find((deployment) => containerOf(deployment).args?.[0] === 'gateway')!;
    expect(hpa!.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: gateway.metadata.name });
    expect(hpa!.spec.metrics?.map((metric) => [metric.type, metric.resource?.name, metric.resource?.target.type])).toEqual([
      ['Resource', 'cpu', 'Utilization'],
    ]);
    expect(hpa!.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(containerOf(gateway).resources?.requests?.cpu).toBeDefined();
    expect(podEnv(containerOf(gateway)).REDIS_URL).toMatch(/^redis:\/\//);
  });

  it('apply with kubectl apply -k: every manifest but the example Secret', () => {
    const kustomization = readManifests(k8sDir, ['kustomization.yaml'])[0] as unknown as { resources: string[] };
    expect(kustomization.resources.sort()).toEqual(
      k8sFiles.filter((file) => file !== 'kustomization.yaml' && file !== 'secret.example.yaml').sort(),
    );
    for (const deployment of deployments) expect(containerOf(deployment).image).toMatch(/^junction:/);
  });
});

describe('the code serves what the containers probe and scrape', () => {
  it.each(Object.values(PROBES))('routes %s', (path) => {
    const sources = ['lib', 'gateway/src'].flatMap((dir) =>
      readdirSync(join(root, dir)).filter((file) => file.endsWith('.ts')).map((file) => readText(join(dir, file))),
    );
    expect(sources.some((source) => source.includes(`'${path}':`))).toBe(true);
  });
});
