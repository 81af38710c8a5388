import type { Identity } from '#lib/identity.js';
import { parseClientSettings } from '#lib/client-settings.js';
import type { SubgraphDataSource } from '#gateway/fetch/data-source.js';
import type { Executor } from '#gateway/execution/executor.js';
import type { AuthorizationPolicy } from '#gateway/stages/authorization/authorization-policy.js';
import type { CostEstimator } from '#gateway/stages/cost/cost-estimator.js';
import type { SubgraphFetcher } from '#gateway/fetch/transport.js';

/** What one supergraph (or contract) gives the pipeline; a hot reload swaps in a new one. */
export type ServedSupergraph = { executor: Executor; policy: AuthorizationPolicy; cost: CostEstimator };

/**
 * Everything the gateway serves at once: the full supergraph, and each
 * contract (a supergraph with `@inaccessible` on what some clients may not
 * see, from `npm run compose`) for the clients mapped to it. Each is planned
 * and cached on its own executor, authorized by its own policy, priced by its
 * own cost annotations; all of them share one subgraph client per subgraph
 * name and URL, so a contract adds no connections, and a client is retired
 * only when no served supergraph uses it.
 */
export type ServedSupergraphs = {
  /** What `identity` is served: its client's contract, or the full supergraph. Read once per request. */
  for(identity: Identity | null): ServedSupergraph;
  /**
   * Serves `sdl` as the full supergraph (no `contract`) or as that contract
   * from the next request on. Throws, and keeps serving the current one, when
   * `sdl` is not a valid Federation 2 supergraph.
   */
  serve(sdl: string, contract?: string): void;
  /** The subgraph clients in use now. */
  dataSources(): IterableIterator<SubgraphDataSource>;
  /** Closes every subgraph client, retired ones too: once no request is running. */
  close(): void;
};

export type ServedSupergraphsOptions = {
  /** The executor and policy for one supergraph, whose subgraphs are fetched through `fetcher`; throws when `sdl` is invalid. */
  build(sdl: string, fetcher: (subgraph: { name: string; url: string }) => SubgraphFetcher): ServedSupergraph;
  /** A new client for a subgraph no served supergraph has used at that URL yet. */
  dataSource(subgraph: { name: string; url: string }): SubgraphDataSource;
  /** How long a client no longer used stays open for requests still running on the supergraph it served. */
  retireAfterMs: number;
  supergraphSdl: string;
  /** Contract supergraphs by name. */
  contracts: Readonly<Record<string, string>>;
  /** Which contract each client (Identity.client) is served; every contract named must be in `contracts`. */
  contractClients: ReadonlyMap<string, string>;
};

/** The full supergraph's slot; contract names are never empty. */
const FULL = '';

export function createServedSupergraphs(options: ServedSupergraphsOptions): ServedSupergraphs {
  const unknown = [...options.contractClients].filter(([, contract]) => !Object.hasOwn(options.contracts, contract));
  if (unknown.length > 0) {
    const served = Object.keys(options.contracts);
    throw new Error(
      `CONTRACT_CLIENTS maps ${unknown.map(([client, contract]) => `client "${client}" to contract "${contract}"`).join(', ')}, ` +
        `but ${served.length > 0 ? `the contracts served are ${served.map((name) => `"${name}"`).join(', ')}` : 'no contract is served'}.`,
    );
  }

  // One per subgraph name and URL: warm connections, circuit state and counts carry over reloads and contracts.
  const dataSources = new Map<string, SubgraphDataSource>();
  const retired = new Set<SubgraphDataSource>();
  const usedBy = new Map<string, ReadonlySet<string>>();
  const served = new Map<string, ServedSupergraph>();
  const retiring = new Set<ServedSupergraph['executor']>();
  /** The clients each replaced supergraph with open subscriptions uses, by its executor: kept until they end. */
  const held = new Map<ServedSupergraph['executor'], ReadonlySet<string>>();

  function serve(sdl: string, contract = FULL): void {
    const used = new Set<string>();
    const created: string[] = [];
    const fetcher = ({ name, url }: { name: string; url: string }) => {
      if (!url) throw new Error(`The supergraph gives subgraph "${name}" no routing URL.`);
      const key = `${name} ${url}`;
      let dataSource = dataSources.get(key);
      if (!dataSource) {
        dataSource = options.dataSource({ name, url });
        dataSources.set(key, dataSource);
        created.push(key);
      }
      used.add(key);
      return dataSource;
    };
    let next: ServedSupergraph;
    try {
      next = options.build(sdl, fetcher);
    } catch (error) {
      for (const key of created) {
        dataSources.get(key)?.close();
        dataSources.delete(key);
      }
      throw error;
    }
    const previous = served.get(contract);
    served.set(contract, next);
    if (previous) {
      const { executor } = previous;
      retiring.add(executor);
      // Its open subscriptions run on it to their end: its subgraph clients stay until then.
      // (Held only when it has some: the clients the new supergraph no longer names retire now, and the reload says so.)
      const previousUsed = usedBy.get(contract);
      if (previousUsed && executor.openSubscriptions > 0) held.set(executor, previousUsed);
      const drained = executor.drained().then(() => {
        held.delete(executor);
        retireUnused();
      });
      // Its requests in flight may still plan on it until their deadline; then (and once its subscriptions end) its planning threads stop.
      const deadline = new Promise((resolve) => setTimeout(resolve, options.retireAfterMs).unref());
      void Promise.all([drained, deadline]).then(() => {
        if (!retiring.delete(executor)) return;
        void executor.close();
      });
    }
    usedBy.set(contract, used);
    retireUnused();
  }

  /** Retires the clients neither a served supergraph nor a replaced one's open subscriptions use. */
  function retireUnused(): void {
    // Requests in flight on a replaced supergraph may still use a client nothing uses now: it outlives their deadline.
    const inUse = new Set([...usedBy.values(), ...held.values()].flatMap((keys) => [...keys]));
    for (const [key, dataSource] of dataSources) {
      if (inUse.has(key)) continue;
      dataSource.retire(options.retireAfterMs);
      retired.add(dataSource);
      dataSources.delete(key);
    }
  }

  try {
    serve(options.supergraphSdl);
    for (const [name, sdl] of Object.entries(options.contracts)) {
      try {
        serve(sdl, name);
      } catch (error) {
        throw new Error(`Cannot serve the contract "${name}": ${(error as Error).message}`, { cause: error });
      }
    }
  } catch (error) {
    for (const dataSource of dataSources.values()) dataSource.close();
    throw error;
  }

  return {
    for(identity) {
      const contract = identity?.client === undefined ? undefined : options.contractClients.get(identity.client);
      return served.get(contract ?? FULL) ?? (served.get(FULL) as ServedSupergraph);
    },
    serve(sdl, contract) {
      if (contract !== undefined && !served.has(contract)) throw new Error(`No contract "${contract}" is served.`);
      serve(sdl, contract);
    },
    dataSources: () => dataSources.values(),
    close() {
      for (const dataSource of [...dataSources.values(), ...retired]) dataSource.close();
      for (const executor of [...[...served.values()].map((each) => each.executor), ...retiring]) void executor.close();
      retiring.clear();
      held.clear();
    },
  };
}

/** CONTRACT_CLIENTS: `<client>=<contract>` entries; throws listing every entry that is not. */
export function parseContractClients(entries: readonly string[]): Map<string, string> {
  return parseClientSettings(entries, { setting: 'CONTRACT_CLIENTS', syntax: '<client>=<contract>', noun: 'a contract' });
}
