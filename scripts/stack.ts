import { createServer } from 'node:http';
import type { Database } from '#lib/db.js';
import type { Env } from '#lib/env.js';
import { listen, type Listening } from '#lib/http.js';
import type { Logger } from '#lib/logger.js';
import { SUBGRAPHS, type SubgraphName } from '#lib/migrate.js';
import type { ServedSubgraph } from '#lib/subgraph.js';
import { composeSupergraph, formatCompositionProblem, type SupergraphConfig } from '#lib/supergraph.js';
import { createGateway } from '../gateway/src/server.js';
import { serveNamedSubgraph } from '../subgraphs/index.js';

export type StackOptions = {
  db: Database;
  env: Env;
  logger: Logger;
  /** Which subgraphs to run and how they compose: supergraph.yaml, read. */
  config: SupergraphConfig;
  /**
   * `routing`: each subgraph listens on the port of its routing URL (npm start).
   * `ephemeral`: on a free port, with the supergraph composed for those (tests).
   */
  ports: 'routing' | 'ephemeral';
  gatewayPort: number;
  host?: string;
};

export type Stack = {
  gatewayUrl: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** The supergraph the gateway serves, composed for the addresses actually used. */
  supergraphSdl: string;
  stop(): Promise<void>;
};

function isSubgraphName(name: string): name is SubgraphName {
  return (SUBGRAPHS as readonly string[]).includes(name);
}

/**
 * The whole commerce supergraph in one process: the four subgraphs, each on
 * its own HTTP port, and the gateway in front of them, talking over real HTTP.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const { config, logger, host } = options;
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    for (const service of started.reverse()) await service.stop();
  };
  try {
    // Bind every socket first: peers and composition need the real addresses.
    const bound = new Map<SubgraphName, Listening>();
    for (const subgraph of config.subgraphs) {
      if (!isSubgraphName(subgraph.name)) {
        throw new Error(`supergraph.yaml names a subgraph "${subgraph.name}" that Junction does not have.`);
      }
      const port = options.ports === 'ephemeral' ? 0 : Number(new URL(subgraph.routingUrl).port || 80);
      const listening = await listen(createServer(), port, host);
      bound.set(subgraph.name, listening);
      started.push({ stop: listening.close });
    }
    const subgraphUrls = Object.fromEntries(
      config.subgraphs.map((subgraph) => {
        const listening = bound.get(subgraph.name as SubgraphName)!;
        const url = options.ports === 'ephemeral' ? `http://localhost:${listening.port}/graphql` : subgraph.routingUrl;
        return [subgraph.name, url];
      }),
    ) as Record<SubgraphName, string>;

    const env: Env = {
      ...options.env,
      ACCOUNTS_URL: subgraphUrls.accounts ?? options.env.ACCOUNTS_URL,
      PRODUCTS_URL: subgraphUrls.products ?? options.env.PRODUCTS_URL,
    };
    const served: ServedSubgraph[] = await Promise.all(
      [...bound].map(([name, listening]) =>
        serveNamedSubgraph(name, { db: options.db, env, logger: logger.child({ component: name }) }, listening),
      ),
    );
    started.splice(0, started.length, ...served);

    const composed = await composeSupergraph({
      ...config,
      subgraphs: config.subgraphs.map((subgraph) => ({
        ...subgraph,
        routingUrl: subgraphUrls[subgraph.name as SubgraphName],
      })),
    });
    if (!composed.ok) {
      throw new Error(`Composition failed:\n${composed.problems.map(formatCompositionProblem).join('\n')}`);
    }

    const gateway = await createGateway({
      supergraphSdl: composed.supergraphSdl,
      logger: logger.child({ component: 'gateway' }),
      production: env.production,
    });
    started.push({ stop: gateway.stop });
    const listening = await listen(gateway.server, options.gatewayPort, host);
    started.push({ stop: listening.close });

    return { gatewayUrl: listening.url, subgraphUrls, supergraphSdl: composed.supergraphSdl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
