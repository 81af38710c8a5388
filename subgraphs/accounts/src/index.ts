import { runSubgraph } from '#lib/subgraph.js';
import { createSubgraph } from './server.js';

await runSubgraph('accounts', 4001, createSubgraph);
