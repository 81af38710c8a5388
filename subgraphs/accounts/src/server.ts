import { createSubgraphServer, type Subgraph, type SubgraphDeps } from '#lib/subgraph/subgraph-server.js';
import { createContext, type Context } from './context.js';
import { resolvers } from './resolvers/index.js';

/** The accounts subgraph: users, who is signed in, and sign-up. */
export function createSubgraph(deps: SubgraphDeps): Subgraph<Context> {
  return {
    name: 'accounts',
    server: createSubgraphServer('accounts', resolvers, deps),
    context: createContext(deps),
  };
}
