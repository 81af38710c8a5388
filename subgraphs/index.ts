import type { SubgraphName } from '#lib/migrate.js';
import type { Listening } from '#lib/http.js';
import { serveSubgraph, type ServedSubgraph, type SubgraphDeps } from '#lib/subgraph/subgraph-server.js';
import { createSubgraph as accounts } from './accounts/src/server.js';
import { createSubgraph as inventory } from './inventory/src/server.js';
import { createSubgraph as products } from './products/src/server.js';
import { createSubgraph as reviews } from './reviews/src/server.js';

/** Builds and serves one subgraph on a socket that is already listening. */
export function serveNamedSubgraph(name: SubgraphName, deps: SubgraphDeps, bound: Listening): Promise<ServedSubgraph> {
  const options = { logger: deps.logger, bound, secret: deps.env.GATEWAY_SECRET, db: deps.db, metrics: deps.env.METRICS, production: deps.env.production };
  switch (name) {
    case 'accounts':
      return serveSubgraph(accounts(deps), options);
    case 'products':
      return serveSubgraph(products(deps), options);
    case 'inventory':
      return serveSubgraph(inventory(deps), options);
    case 'reviews':
      return serveSubgraph(reviews(deps), options);
  }
}
