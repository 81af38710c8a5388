import { runSubgraph } from '#lib/subgraph/subgraph-server.js';
import { createSubgraph } from './server.js';

await runSubgraph('accounts', 4001, createSubgraph);
