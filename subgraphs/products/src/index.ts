import { runSubgraph } from '#lib/subgraph/subgraph-server.js';
import { createSubgraph } from './server.js';

await runSubgraph('products', 4002, createSubgraph);
