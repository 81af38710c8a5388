import { createSubgraphServer, type Subgraph, type SubgraphDeps } from '#lib/subgraph/subgraph-server.js';
import { createContext, type Context } from './context.js';
import { resolvers } from './resolvers/index.js';

/** The products subgraph: the catalogue. */
export function createSubgraph(deps: SubgraphDeps): Subgraph<Context> {
  return {
    name: 'products',
    server: createSubgraphServer('products', resolvers, deps),
    context: createContext(deps),
  };
}
