/**
 * The subscription benchmark's figures (bench/subscriptions.ts): per mode,
 * what opening the subscriptions cost the gateway, event latency to the last
 * subscriber, and the settled memory after each round of subscribe and
 * unsubscribe, with whether it grew.
 */
export type Reading = { rssMiB: number; heapMiB: number };

export type Round = {
  round: number;
  openSeconds: number;
  /** Settled (after a forced full GC) with every subscription open, then after all were ended. */
  open: Reading;
  closed: Reading;
};

export type ModeResult = {
  mode: 'identical' | 'distinct';
  subscribers: number;
  connections: number;
  /** Subscriptions the gateway holds at the subgraph: one shared, or one per distinct subscription. */
  upstream: number;
  /** Settled, before any subscription of the measured rounds. */
  before: Reading;
  perSubscriptionKiB: { rss: number; heap: number };
  /** Per measured mutation, ms from sending it: to the first, median and last expected subscriber. */
  mutations: { first: number; median: number; last: number; missing: number }[];
  latencyMs: { lastP50: number; lastP99: number; medianP50: number };
  rounds: Round[];
  /** Settled heap after unsubscribing: per-round change from the first round to the last, and whether that is growth. */
  growth: { heapMiBPerRound: number; rssMiBPerRound: number; grew: boolean };
  errors: string[];
};

const fixed = (value: number, digits = 1) => Number(value.toFixed(digits));

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Least-squares slope of `values` over their index: MiB per round, less moved by one noisy reading than last minus first. */
function slope(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, value) => sum + value, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((value, x) => {
    num += (x - meanX) * (value - meanY);
    den += (x - meanX) ** 2;
  });
  return num / den;
}

/**
 * Growth: the settled heap after unsubscribing, from the second round on (the
 * first still warms code up), rising by more than 1% of what the open
 * subscriptions held per round (a hundredth of them leaked each time), and by
 * more than 1 MiB, below which a few rounds' settled heap moves by itself.
 */
export function growthOf(rounds: readonly Round[], perSubscriptionHeapKiB: number, subscribers: number): ModeResult['growth'] {
  const measured = rounds.length > 2 ? rounds.slice(1) : rounds;
  const heapMiBPerRound = slope(measured.map((round) => round.closed.heapMiB));
  const rssMiBPerRound = slope(measured.map((round) => round.closed.rssMiB));
  const tolerance = Math.max(0.01 * ((perSubscriptionHeapKiB * subscribers) / 1024), 1);
  return { heapMiBPerRound: fixed(heapMiBPerRound, 2), rssMiBPerRound: fixed(rssMiBPerRound, 2), grew: heapMiBPerRound > tolerance };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')).join('\n');
}

export function printSubscriptionReport(results: readonly ModeResult[], heading: string): string {
  const main = [
    ['mode', 'subscriptions', 'connections', 'at subgraph', 'open s', 'RSS MiB before/open', 'heap MiB before/open', 'KiB/sub RSS', 'KiB/sub heap', 'p50 ms last', 'p99 ms last', 'p50 ms median sub', 'missed', 'errors'],
    ...results.map((result) => {
      const first = result.rounds[0];
      return [
        result.mode,
        String(result.subscribers),
        String(result.connections),
        String(result.upstream),
        first ? first.openSeconds.toFixed(1) : '-',
        `${result.before.rssMiB.toFixed(0)}/${first?.open.rssMiB.toFixed(0) ?? '-'}`,
        `${result.before.heapMiB.toFixed(0)}/${first?.open.heapMiB.toFixed(0) ?? '-'}`,
        result.perSubscriptionKiB.rss.toFixed(1),
        result.perSubscriptionKiB.heap.toFixed(1),
        result.latencyMs.lastP50.toFixed(1),
        result.latencyMs.lastP99.toFixed(1),
        result.latencyMs.medianP50.toFixed(1),
        String(result.mutations.reduce((sum, each) => sum + each.missing, 0)),
        String(result.errors.length),
      ];
    }),
  ];
  const rounds = [
    ['settled after unsubscribing', ...(results[0]?.rounds.map((round) => `r${round.round}`) ?? []), 'per round', 'grew'],
    ...results.flatMap((result) => [
      [`${result.mode} heap MiB`, ...result.rounds.map((round) => round.closed.heapMiB.toFixed(1)), result.growth.heapMiBPerRound.toFixed(2), result.growth.grew ? 'YES' : 'no'],
      [`${result.mode} RSS MiB`, ...result.rounds.map((round) => round.closed.rssMiB.toFixed(0)), result.growth.rssMiBPerRound.toFixed(2), '-'],
    ]),
  ];
  const errors = results.flatMap((result) => result.errors.map((error) => `${result.mode}: ${error}`));
  return `${heading}\n\n${table(main)}\n\n${table(rounds)}\n${errors.length ? `\nErrors:\n${errors.join('\n')}\n` : ''}`;
}

export function summarizeLatency(mutations: ModeResult['mutations']): ModeResult['latencyMs'] {
  const last = mutations.map((each) => each.last).sort((a, b) => a - b);
  const median = mutations.map((each) => each.median).sort((a, b) => a - b);
  return { lastP50: fixed(percentile(last, 50)), lastP99: fixed(percentile(last, 99)), medianP50: fixed(percentile(median, 50)) };
}
