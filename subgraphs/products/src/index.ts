import { runSubgraph } from '#lib/subgraph.js';
import { createSubgraph } from './server.js';

await runSubgraph('products', 4002, createSubgraph);
