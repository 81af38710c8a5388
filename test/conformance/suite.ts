import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotatingSeed, runGenerated } from './generated.js';
import { startHarness, type Harness, type SelfServed, type StartedShape } from './harness.js';
import { judge } from './judge.js';
import { reproduction } from './report.js';
import type { Shape } from './shape.js';
import { hostedShapes } from './shapes/hosted.js';

/**
 * The differential conformance suite for some shapes, in one vitest file:
 * each hand-written scenario, then generated operations with a fixed seed and
 * with a rotating one (printed, to replay with `npm run conformance -- --seed S`).
 * A failure's message is its minimal reproduction (report.ts).
 */
export const FIXED_SEED = 20_260_301;
/** Generated operations per shape and seed, in CI. */
export const GENERATED_RUNS = 30;
/** Longest a property may take, shrinking included. */
const TIME_LIMIT_MS = 15_000;

const rotating = rotatingSeed();

/** `more`: tests of the file's own, given the started shapes by name. */
export function describeShapes(hosted: string[], selfServed: SelfServed[] = [], more?: (started: (name: string) => StartedShape) => void): void {
  let harness: Harness | undefined;
  let failed = false;
  const shapes: Shape[] = [...hosted.map((name) => hostedShapes[name]!), ...selfServed.map((served) => served.shape)];
  const started = (shape: Shape) => {
    if (!harness) throw new Error('the harness did not start');
    return harness.shapes[shape.name]!;
  };
  beforeAll(async () => {
    console.log(`conformance (${shapes.map((shape) => shape.name).join(', ')}): rotating seed ${rotating}; replay with npm run conformance -- --seed ${rotating} --shape NAME`);
    harness = await startHarness(hosted, selfServed);
  }, 180_000);
  // A failure keeps the supergraph files its report points at.
  afterAll(() => harness?.stop({ keepFolder: failed }), 60_000);

  more?.((name) => started(shapes.find((shape) => shape.name === name)!));
  for (const shape of shapes) {
    describe(shape.name, () => {
      for (const scenario of shape.scenarios) {
        it(scenario.name, async () => {
          const verdict = await judge(started(shape), scenario.name, scenario);
          if (!verdict.ok) {
            failed = true;
            expect.fail(reproduction(started(shape), scenario.name, verdict));
          }
        });
      }
      for (const [which, seed] of [['a fixed', FIXED_SEED], ['a rotating', rotating]] as const) {
        it(`${GENERATED_RUNS} generated operations, ${which} seed (${seed})`, async () => {
          const run = await runGenerated(started(shape), { seed, numRuns: GENERATED_RUNS, timeLimitMs: TIME_LIMIT_MS });
          if (run.failure) {
            failed = true;
            const replay = `npm run conformance -- --shape ${shape.name} --seed ${seed} --runs ${GENERATED_RUNS}${run.failure.path ? ` --path ${run.failure.path}` : ''}`;
            expect.fail(`${reproduction(started(shape), 'generated', run.failure.verdict, replay)}\n(after ${run.runs} operations and ${run.failure.shrinks} shrinks)`);
          }
        }, TIME_LIMIT_MS + 30_000);
      }
    });
  }
}
