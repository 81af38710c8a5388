import { runSubgraph } from '#lib/subgraph/subgraph-server.js';
import { createSubgraph } from './server.js';

await runSubgraph('inventory', 4003, createSubgraph);
