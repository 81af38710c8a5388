import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shutdownTimeoutMs } from '#lib/shutdown.js';
import { readSupergraphConfig } from '#tooling/supergraph.js';
import {
  readManifests,
  readText,
  root,
  type ConfigMap,
  type Container,
  type Deployment,
  type HorizontalPodAutoscaler,
  type Secret,
  type Service,
} from '../../support/container-files.js';
import { bootEnv, expectRoutingUrls, imageEnv, only, ports, PROBES } from '../../support/container-config.js';

/*
 * Docker and a cluster cannot run here, so these tests read deploy/k8s/ and check
 * that it agrees with the code: ports, probe paths, environment variables,
 * resources and grace periods, and that the code serves what they probe.
 */

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
      readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .map((file) => readText(join(dir, file))),
    );
    expect(sources.some((source) => source.includes(`'${path}':`))).toBe(true);
  });
});

