import { requestContext, type RequestContext, type SubgraphDeps, type SubgraphRequest } from '#lib/subgraph/subgraph-server.js';
import { createLoaders, type Loaders } from './loaders.js';

export type Context = RequestContext & { loaders: Loaders };

/** A fresh context, and so fresh loaders, for every request. */
export function createContext(deps: SubgraphDeps) {
  return (info: SubgraphRequest): Context => ({ ...requestContext(deps, info), loaders: createLoaders(deps.db) });
}
