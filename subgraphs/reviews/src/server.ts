import { createEntityClient } from '#lib/subgraph/peers.js';
import { createSubgraphServer, type Subgraph, type SubgraphDeps } from '#lib/subgraph/subgraph-server.js';
import { createContext, type Context } from './context.js';
import { resolvers } from './resolvers/index.js';

/** The reviews subgraph: what users think of products. */
export function createSubgraph(deps: SubgraphDeps): Subgraph<Context> {
  const { env, logger } = deps;
  const peers = {
    accounts: createEntityClient({ name: 'accounts', url: env.ACCOUNTS_URL, logger, secret: env.GATEWAY_SECRET }),
    products: createEntityClient({ name: 'products', url: env.PRODUCTS_URL, logger, secret: env.GATEWAY_SECRET }),
  };
  return {
    name: 'reviews',
    server: createSubgraphServer('reviews', resolvers, deps),
    context: createContext(deps, peers),
  };
}
