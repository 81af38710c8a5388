import { expect } from 'vitest';
import { parseEnv, type Env } from '#lib/env.js';
import { defaultPorts, envSchemaNames, parseDockerfile, readText, supergraphConfigNames } from './container-files.js';

/** What the container tests share: the package, the ports and the variables the code knows. */
export const pkg = JSON.parse(readText('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
export const lock = JSON.parse(readText('package-lock.json')) as { packages: Record<string, { dev?: boolean }> };
export const ports = defaultPorts();
export const SUBGRAPHS = ['accounts', 'products', 'inventory', 'reviews'];
/** What lib/env.ts reads, and what supergraph.yaml expands when the gateway's container composes it. */
export const KNOWN_VARIABLES = new Set([...envSchemaNames(), ...supergraphConfigNames()]);
export const PROBES = { liveness: '/health', readiness: '/ready', metrics: '/metrics' };

/** The environment a process would boot with, as lib/env.ts parses it; fails listing its problems. */
export function bootEnv(variables: Record<string, string>): Env {
  const unknown = Object.keys(variables).filter((name) => !KNOWN_VARIABLES.has(name));
  expect(unknown, 'variables lib/env.ts does not know').toEqual([]);
  const result = parseEnv(variables);
  if (!result.ok) expect.fail(`invalid environment: ${result.problems.join('; ')}`);
  return result.env;
}

/** `<name>_URL` variables naming a subgraph must reach it at its port, on a host `hosts` says it is on. */
export function expectRoutingUrls(variables: Record<string, string>, hosts: Record<string, number>): void {
  for (const name of SUBGRAPHS) {
    const value = variables[`${name.toUpperCase()}_URL`];
    if (value === undefined) continue;
    const url = new URL(value);
    expect([url.hostname, Number(url.port), url.pathname], value).toEqual([name, ports[name], '/graphql']);
    expect(hosts[url.hostname], `${url.hostname} serves ${ports[name]}`).toBe(ports[name]);
  }
}

/** The Dockerfile's instructions, and those of its final stage (the image) by keyword. */
export const dockerfile = parseDockerfile(readText('Dockerfile'));
export const finalStage = dockerfile.at(-1)!.stage;
const final = dockerfile.filter((instruction) => instruction.stage === finalStage);
export const only = (keyword: string) => final.filter((instruction) => instruction.keyword === keyword);
/** What the image's ENV sets for every container. */
export const imageEnv = { NODE_ENV: 'production' };
