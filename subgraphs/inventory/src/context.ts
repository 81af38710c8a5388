import type { EntityClient } from '#lib/subgraph/peers.js';
import { requestContext, type RequestContext, type SubgraphDeps, type SubgraphRequest } from '#lib/subgraph/subgraph-server.js';
import { createLoaders, type Loaders } from './loaders.js';

/** The subgraphs inventory asks about entities it does not own. */
export type Peers = { products: EntityClient };

export type Context = RequestContext & { loaders: Loaders; peers: Peers };

/** A fresh context, and so fresh loaders, for every request. */
export function createContext(deps: SubgraphDeps, peers: Peers) {
  return (info: SubgraphRequest): Context => ({
    ...requestContext(deps, info),
    loaders: createLoaders(deps.db),
    peers,
  });
}
