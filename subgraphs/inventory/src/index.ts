import { runSubgraph } from '#lib/subgraph.js';
import { createSubgraph } from './server.js';

await runSubgraph('inventory', 4003, createSubgraph);
