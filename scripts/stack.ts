import { createServer } from 'node:http';
import { contractSupergraph, type Contract } from '#tooling/contracts.js';
import type { Database } from '#lib/db.js';
import type { Env } from '#lib/env.js';
import { listen, type Listening } from '#lib/http.js';
import type { Logger } from '#lib/logger.js';
import { SUBGRAPHS, type SubgraphName } from '#lib/migrate.js';
import { drainAndClose } from '#lib/shutdown.js';
import type { ServedSubgraph } from '#lib/subgraph/subgraph-server.js';
import {
  composeSupergraph,
  formatCompositionProblem,
  type SubgraphSource,
  type SupergraphConfig,
} from '#tooling/supergraph.js';
import { createGateway } from '../gateway/src/server.js';
import { serveNamedSubgraph } from '../subgraphs/index.js';

export type StackOptions = {
  db: Database;
  env: Env;
  logger: Logger;
  /** Which subgraphs to run and how they compose: supergraph.yaml, read. */
  config: SupergraphConfig;
  /** The contracts to serve beside the supergraph (contracts.yaml, read), to the clients CONTRACT_CLIENTS maps to them. */
  contracts?: readonly Contract[];
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
  /** The subgraphs running, by name: each with its URL, and a way to stop it alone. */
  subgraphs: Partial<Record<SubgraphName, ServedSubgraph>>;
  /** The supergraph the gateway serves, composed for the addresses actually used. */
  supergraphSdl: string;
  /** Each contract's supergraph, made from that one, by contract name. */
  contractSdls: Record<string, string>;
  /** Stops gracefully (lib/shutdown.ts drainAndClose): the gateway first, then the subgraphs. */
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
    const slots: { name: SubgraphName; source: SubgraphSource; bound: Listening; url: string }[] = [];
    for (const source of config.subgraphs) {
      const { name } = source;
      if (!isSubgraphName(name)) {
        throw new Error(`supergraph.yaml names a subgraph "${name}" that Junction does not have.`);
      }
      const port = options.ports === 'ephemeral' ? 0 : Number(new URL(source.routingUrl).port || 80);
      const bound = await listen(createServer(), port, host);
      started.push({ stop: bound.close });
      const url = options.ports === 'ephemeral' ? `http://localhost:${bound.port}/graphql` : source.routingUrl;
      slots.push({ name, source, bound, url });
    }
    const urlOf = (name: SubgraphName) => slots.find((slot) => slot.name === name)?.url;

    const env: Env = {
      ...options.env,
      ACCOUNTS_URL: urlOf('accounts') ?? options.env.ACCOUNTS_URL,
      PRODUCTS_URL: urlOf('products') ?? options.env.PRODUCTS_URL,
    };
    const served = await Promise.all(
      slots.map(({ name, bound }) =>
        serveNamedSubgraph(name, { db: options.db, env, logger: logger.child({ component: name }) }, bound),
      ),
    );
    started.splice(0, started.length, ...served);

    const composed = await composeSupergraph({
      ...config,
      subgraphs: slots.map(({ source, url }) => ({ ...source, routingUrl: url })),
    });
    if (!composed.ok) {
      throw new Error(`Composition failed:\n${composed.problems.map(formatCompositionProblem).join('\n')}`);
    }

    // As npm run compose makes contracts/<name>.graphql, but for these addresses.
    const contractSdls = Object.fromEntries(
      (options.contracts ?? []).map((contract) => [contract.name, contractSupergraph(composed.supergraphSdl, contract)]),
    );
    const gateway = await createGateway({
      supergraphSdl: composed.supergraphSdl,
      contracts: contractSdls,
      logger: logger.child({ component: 'gateway' }),
      env,
      db: options.db,
    });
    started.push({ stop: gateway.stop });
    const listening = await listen(gateway.server, options.gatewayPort, host);
    started.push({ stop: listening.close });

    // The gateway's requests in flight finish against subgraphs still serving them.
    const servers = [
      gateway.drainable(listening),
      ...served.map((subgraph) => ({ drain: subgraph.drain, close: subgraph.stop })),
    ];
    return {
      gatewayUrl: listening.url,
      subgraphs: Object.fromEntries(slots.map(({ name }, index) => [name, served[index]])),
      supergraphSdl: composed.supergraphSdl,
      contractSdls,
      async stop() {
        await drainAndClose(servers, env);
        await gateway.stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
