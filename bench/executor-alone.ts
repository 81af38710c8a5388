/**
 * `npx tsx bench/executor-alone.ts`: the executor's own CPU time for the
 * benchmark query, without HTTP. The subgraphs' answers are recorded once
 * from the fixed-data subgraphs (bench/subgraphs.ts), then replayed from
 * memory (parsed from their text, as the subgraph client reads them) for
 * batches of sequential requests; prints the minimum and median µs per
 * request over the batches. Run it at two commits to A/B a change to the
 * executor: the figure moves with the machine's load far less than
 * requests/s does.
 *
 * Options: --batches N (default 9), --size N requests per batch (default 300).
 */
import { parseArgs } from 'node:util';
import { parse } from 'graphql';
import { pino } from 'pino';
import { composeSupergraph, readSupergraphConfig } from '#tooling/supergraph.js';
import { supergraphForGateway } from '#gateway/stages/authorization/authorization-policy.js';
import { createSubgraphDataSource } from '#gateway/fetch/data-source.js';
import { createExecutor } from '#gateway/execution/executor.js';
import type { SubgraphFetcher } from '#gateway/fetch/transport.js';
import { readAnswer } from '#gateway/fetch/subgraph-answer.js';
import { BENCHMARK_QUERY, expectedBenchmarkData } from './data.js';
import { startBenchSubgraphs } from './subgraphs.js';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '9' }, size: { type: 'string', default: '300' } } });
const batches = Number(values.batches);
const size = Number(values.size);

const subgraphs = await startBenchSubgraphs();
const config = await readSupergraphConfig('supergraph.yaml', {});
const composed = await composeSupergraph({
  ...config,
  subgraphs: config.subgraphs.map((subgraph) => ({ ...subgraph, routingUrl: subgraphs.urls[subgraph.name as keyof typeof subgraphs.urls] })),
});
if (!composed.ok) throw new Error('composition failed');
const supergraphSdl = supergraphForGateway(composed.supergraphSdl);

// Record: every distinct request's answer, as text.
const recorded = new Map<string, string>();
const logger = pino({ level: 'silent' });
const recorder = createExecutor({
  supergraphSdl,
  introspection: true,
  fetcher: ({ name, url }): SubgraphFetcher => {
    const source = createSubgraphDataSource({ name, url, logger, production: true });
    return {
      async fetch(request, context) {
        const answer = await source.fetch(request, context);
        recorded.set(`${name} ${request.query} ${JSON.stringify(request.variables)}`, JSON.stringify(answer));
        return answer;
      },
    };
  },
});
const document = parse(BENCHMARK_QUERY);
const run = (executor: typeof recorder) => executor.execute({ document, query: BENCHMARK_QUERY, context: { requestId: 'bench' } });
const first = await run(recorder);
if (JSON.stringify(JSON.parse(first.data ?? 'null')) !== JSON.stringify(expectedBenchmarkData())) throw new Error('the benchmark answer is wrong');
await subgraphs.close();

// Replay from memory.
const replaying = createExecutor({
  supergraphSdl,
  introspection: true,
  fetcher: ({ name }): SubgraphFetcher => ({
    async fetch(request) {
      const text = recorded.get(`${name} ${request.query} ${JSON.stringify(request.variables)}`);
      if (text === undefined) throw new Error(`nothing recorded for ${name}`);
      const answer = readAnswer(200, 'application/json', true, Buffer.from(text));
      if (answer instanceof Error) throw answer;
      return answer;
    },
  }),
});
const perRequest: number[] = [];
for (let batch = 0; batch < batches; batch++) {
  const started = process.cpuUsage();
  for (let index = 0; index < size; index++) await run(replaying);
  const used = process.cpuUsage(started);
  perRequest.push((used.user + used.system) / size);
}
const sorted = [...perRequest].sort((a, b) => a - b);
process.stdout.write(
  `executor alone, benchmark query: min ${sorted[0]!.toFixed(0)} µs, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} µs CPU per request ` +
    `(${batches} batches of ${size}; first batch warms up)\n`,
);
process.exit(0);
