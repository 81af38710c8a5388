import fc from 'fast-check';
import type { Operation } from '../support/executor-comparison.js';
import { operations } from './generator.js';
import type { StartedShape } from './harness.js';
import { judge, type Verdict } from './judge.js';

/**
 * Generated operations through both gateways (generator.ts), as one
 * fast-check property per shape and seed: the first failure is shrunk to a
 * minimal operation, for at most `timeLimitMs` all told.
 */
const RETRIES = 8;

export type GeneratedRun = {
  seed: number;
  /** Operations run (fewer than asked when the time limit cut the run short). */
  runs: number;
  interrupted: boolean;
  failure?: { verdict: Verdict; shrinks: number; path: string | undefined };
};

export async function runGenerated(
  started: StartedShape,
  { seed, numRuns, timeLimitMs, path }: { seed: number; numRuns: number; timeLimitMs: number; path?: string | undefined },
): Promise<GeneratedRun> {
  const { shape, schema } = started;
  // Stock answers through a variant whose API differs: introspection would show that, not a difference of Junction's.
  const settings =
    started.variantsWithOtherApis.length > 0
      ? { ...shape.generator, exclude: [...(shape.generator?.exclude ?? []), `${schema.getQueryType()!.name}.__schema`, `${schema.getQueryType()!.name}.__type`] }
      : shape.generator;
  const property = fc.asyncProperty(operations(schema, shape.values, settings), async (operation: Operation) => (await judge(started, 'generated', operation)).ok);
  const details = await fc.check(property, {
    seed,
    numRuns,
    ...(path ? { path } : {}),
    plugins: [fc.interruptAfterTimeLimit(timeLimitMs)],
  });
  const run = { seed, runs: details.numRuns, interrupted: details.interrupted };
  if (!details.failed || !details.counterexample) return run;
  // Once more, for the report: the minimal operation's verdict.
  const [minimal] = details.counterexample as [Operation];
  // An answer may depend on a draw (a progressive override): a few tries to see the failure again.
  let verdict = await judge(started, 'generated', minimal);
  for (let attempt = 1; verdict.ok && attempt < RETRIES; attempt += 1) verdict = await judge(started, 'generated', minimal);
  if (verdict.ok) verdict = { ...verdict, ok: false, difference: `it failed once, then passed ${RETRIES} times: the answer changes from request to request` };
  return { ...run, failure: { verdict, shrinks: details.numShrinks, path: details.counterexamplePath ?? undefined } };
}

/** The seed of a run that changes from run to run: CONFORMANCE_SEED when set, for a replay. */
export function rotatingSeed(): number {
  const given = Number(process.env.CONFORMANCE_SEED);
  return Number.isSafeInteger(given) && process.env.CONFORMANCE_SEED ? given : Math.floor(Math.random() * 2 ** 31);
}
