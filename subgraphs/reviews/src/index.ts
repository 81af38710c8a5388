import { runSubgraph } from '#lib/subgraph/subgraph-server.js';
import { createSubgraph } from './server.js';

await runSubgraph('reviews', 4004, createSubgraph);
