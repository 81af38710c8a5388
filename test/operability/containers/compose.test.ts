import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shutdownTimeoutMs } from '#lib/shutdown.js';
import { readSupergraphConfig } from '#tooling/supergraph.js';
import { durationMs, environmentOf, interpolate, readCompose, root } from '../../support/container-files.js';
import { bootEnv, expectRoutingUrls, imageEnv, ports, SUBGRAPHS } from '../../support/container-config.js';

/*
 * Docker cannot run here, so these tests read docker-compose.yml and check that
 * it agrees with the code: ports, probes, environment variables and commands.
 */

const DOT_ENV = { GATEWAY_SECRET: 'a-compose-test-secret-of-more-than-32-characters' };
const compose = readCompose(DOT_ENV);
const junctionServices = Object.entries(compose.services).filter(([, service]) => service.image === 'junction:local');

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

