import { createEntityClient } from '#lib/subgraph/peers.js';
import { createSubgraphServer, type Subgraph, type SubgraphDeps } from '#lib/subgraph/subgraph-server.js';
import { createContext, type Context } from './context.js';
import { resolvers } from './resolvers/index.js';

/** The inventory subgraph: stock levels and shipping estimates. */
export function createSubgraph(deps: SubgraphDeps): Subgraph<Context> {
  const products = createEntityClient({
    name: 'products',
    url: deps.env.PRODUCTS_URL,
    logger: deps.logger,
    secret: deps.env.GATEWAY_SECRET,
  });
  return {
    name: 'inventory',
    server: createSubgraphServer('inventory', resolvers, deps),
    context: createContext(deps, { products }),
  };
}
