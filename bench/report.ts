/**
 * The benchmark's figures: one run of one gateway, the median of its runs,
 * and the tables printed at the end.
 */
export type Run = {
  gateway: string;
  label: string;
  cores: string;
  round: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  requests: number;
  errors: { total: number; non2xx: number; mismatches: number; timeouts: number; socket: number };
  responseBytes: number;
  rssMiB: number;
  peakRssMiB: number;
  gatewayCpuPercent: number;
  /** CPU time the gateway spent per request: the figure least disturbed by anything else on the machine. */
  gatewayCpuMsPerRequest: number;
  subgraphCpuPercent: number;
  loadCpuPercent: number;
  small: { p50Us: number; p99Us: number; overheadUs: number; errors: number };
};

/** Per gateway, its median run by requests/s (the run reported), every round's figure, and every error. */
export type Summary = Run & { roundsRequestsPerSecond: number[]; allErrors: number; smallErrors: number };

export function summarize(runs: readonly Run[]): Summary[] {
  const names = [...new Set(runs.map((run) => run.gateway))];
  return names.map((name) => {
    const own = runs.filter((run) => run.gateway === name);
    const sorted = [...own].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    return {
      ...median,
      roundsRequestsPerSecond: own.map((run) => run.requestsPerSecond),
      allErrors: own.reduce((sum, run) => sum + run.errors.total, 0),
      smallErrors: own.reduce((sum, run) => sum + run.small.errors, 0),
    };
  });
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')).join('\n');
}

export function printReport(summaries: readonly Summary[], direct: { p50: number; p99: number }, heading: string): string {
  const baseline = summaries.find((summary) => summary.gateway === 'baseline');
  const ratio = (summary: Summary) => (baseline ? `${(summary.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}x` : '-');
  const rounds = summaries[0]?.roundsRequestsPerSecond.length ?? 0;
  const main = [
    ['gateway', 'cores', 'req/s', 'vs stock', 'p50 ms', 'p99 ms', 'errors', 'RSS MiB', 'CPU ms/req', 'subgraphs CPU', 'load CPU', ...(rounds > 1 ? ['req/s each round'] : [])],
    ...summaries.map((summary) => [
      summary.label,
      summary.cores,
      summary.requestsPerSecond.toFixed(1),
      ratio(summary),
      String(summary.latencyMs.p50),
      String(summary.latencyMs.p99),
      String(summary.allErrors),
      String(summary.rssMiB),
      summary.gatewayCpuMsPerRequest.toFixed(2),
      `${summary.subgraphCpuPercent}%`,
      `${summary.loadCpuPercent}%`,
      ...(rounds > 1 ? [summary.roundsRequestsPerSecond.map((value) => value.toFixed(0)).join(' ')] : []),
    ]),
  ];
  const small = [
    ['{ me { id } }, one at a time', 'p50 µs', 'p99 µs', 'overhead p50 µs'],
    ['straight to the accounts subgraph', direct.p50.toFixed(0), direct.p99.toFixed(0), '-'],
    ...summaries.map((summary) => [summary.label, String(summary.small.p50Us), String(summary.small.p99Us), String(summary.small.overheadUs)]),
  ];
  return `${heading}\n\n${table(main)}\n\n${table(small)}\n`;
}
