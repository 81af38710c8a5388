import { parseArgs } from 'node:util';
import { runGenerated } from './generated.js';
import { startHarness, type StartedShape } from './harness.js';
import { judge, type Verdict } from './judge.js';
import { reproduction } from './report.js';
import { ours } from './shapes/ours.js';
import { hostedShapes } from './shapes/hosted.js';

/**
 * Longer conformance campaigns than CI's, outside vitest:
 *
 *   npm run conformance -- [--runs N] [--seed S] [--shape NAME]... [--path P] [--scenarios-only]
 *
 * For each shape: its hand-written scenarios, then N generated operations
 * from seed S (random when not given), going on with S+1, S+2… after each
 * failure, so that one failure does not hide the others. Prints every distinct
 * failure as a minimal reproduction, and a summary; exits 1 if anything failed.
 * `--seed S --runs 30 --shape NAME` replays what the vitest file ran with that
 * seed; adding the `--path` a failure printed replays its minimal operation alone.
 */
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    seed: { type: 'string' },
    shape: { type: 'string', multiple: true },
    path: { type: 'string' },
    'scenarios-only': { type: 'boolean', default: false },
    'time-limit': { type: 'string', default: '60' },
  },
});
const runs = Number(values.runs);
const firstSeed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const everyShape = [...Object.keys(hostedShapes), ours.shape.name];
const wanted = values.shape?.flatMap((names) => names.split(',')) ?? everyShape;
const unknown = wanted.filter((name) => !everyShape.includes(name));
if (!Number.isSafeInteger(runs) || runs < 0 || !Number.isSafeInteger(firstSeed) || unknown.length > 0) {
  console.error(unknown.length > 0 ? `No shape named ${unknown.join(', ')}; there are ${everyShape.join(', ')}.` : '--runs and --seed take whole numbers.');
  process.exit(2);
}
const timeLimitMs = Number(values['time-limit']) * 1000;
/** Failing seeds after which a shape's campaign stops: one that fails at once would otherwise go on and on. */
const MAX_FAILURES = 25;

type Summary = { shape: string; scenarios: number; scenarioFailures: number; generated: number; failures: Map<string, number> };

/** What a failure is about, without the values that make two of the same kind differ. */
const signature = (difference: string) =>
  difference
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\d+/g, 'N')
    .slice(0, 140);

async function campaign(started: StartedShape): Promise<Summary> {
  const summary: Summary = { shape: started.shape.name, scenarios: 0, scenarioFailures: 0, generated: 0, failures: new Map() };
  const record = (verdict: Verdict, report: string) => {
    const why = verdict.junction.errors[0]?.message ?? verdict.stock.errors[0]?.message ?? '';
    const key = `${signature(verdict.difference!)}${why ? ` | ${signature(why).slice(0, 80)}` : ''}`;
    const seen = summary.failures.get(key) ?? 0;
    summary.failures.set(key, seen + 1);
    if (seen === 0) console.log(`\n${report}\n`);
  };
  if (!values.path) {
    for (const scenario of started.shape.scenarios) {
      summary.scenarios += 1;
      const verdict = await judge(started, scenario.name, scenario);
      if (!verdict.ok) {
        summary.scenarioFailures += 1;
        record(verdict, reproduction(started, scenario.name, verdict));
      }
    }
  }
  if (values['scenarios-only']) return summary;
  let failures = 0;
  for (let seed = firstSeed; summary.generated < runs && failures < MAX_FAILURES; seed += 1) {
    const run = await runGenerated(started, { seed, numRuns: runs - summary.generated, timeLimitMs, path: values.path });
    summary.generated += run.runs;
    if (run.failure) {
      failures += 1;
      const replay = `npm run conformance -- --shape ${started.shape.name} --seed ${seed}${run.failure.path ? ` --path ${run.failure.path}` : ''}`;
      record(run.failure.verdict, `${reproduction(started, 'generated', run.failure.verdict, replay)}\n(after ${run.runs} operations and ${run.failure.shrinks} shrinks)`);
    }
    // A replayed path is one operation of one seed.
    if (run.interrupted || values.path) break;
  }
  return summary;
}

const started = Date.now();
console.log(`conformance campaign: ${wanted.join(', ')}; ${runs} generated operations each from seed ${firstSeed}`);
const harness = await startHarness(
  wanted.filter((name) => name !== ours.shape.name),
  wanted.includes(ours.shape.name) ? [ours] : [],
);
const summaries: Summary[] = [];
let failed = false;
try {
  for (const name of wanted) {
    const summary = await campaign(harness.shapes[name]!);
    summaries.push(summary);
    failed ||= summary.failures.size > 0;
  }
} finally {
  await harness.stop({ keepFolder: failed });
}

console.log('\nSummary');
for (const { shape, scenarios, scenarioFailures, generated, failures } of summaries) {
  console.log(`  ${shape}: ${scenarios - scenarioFailures}/${scenarios} scenarios passed, ${generated} generated operations, ${failures.size} distinct failures`);
  for (const [key, count] of failures) console.log(`    ${count}× ${key}`);
}
if (failed) console.log(`Supergraphs kept in ${harness.folder}`);
console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
