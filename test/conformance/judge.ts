import type { GatewayAnswer, Operation } from '../support/executor-comparison.js';
import { firstDifference } from '../support/compare-answers.js';
import { answerOf, type StartedShape } from './harness.js';
import { knownDifferencesFor, type KnownDifference } from './known-differences.js';

/**
 * Runs one operation through Junction and through stock, and judges
 * Junction's answer by the comparison rule (compare.ts), or by the known
 * differences that cover the shape and scenario (known-differences.ts).
 */
export type Verdict = {
  ok: boolean;
  operation: Operation;
  junction: GatewayAnswer;
  /** Stock's answer Junction was compared with (the first, when several would do). */
  stock: GatewayAnswer;
  /** Which stock: on the shape's supergraph, or on a variant. */
  stockOn: string;
  /** What stock ran, when not the operation itself. */
  stockOperation?: Operation;
  /** The first difference, when not ok. */
  difference?: string;
  /** The known differences that took part: they chose stock's answer, or accepted Junction's. */
  known: KnownDifference[];
};

/** `scenario`: a hand-written scenario's name, or `generated`. */
export async function judge(started: StartedShape, scenario: string, operation: Operation & { equivalent?: Operation | undefined }): Promise<Verdict> {
  const junction = await answerOf(started, started.junction, operation);
  const known = knownDifferencesFor(started.shape.name, scenario);
  // The most specific `compareWith` says which stocks answer; every equivalent operation applies, in turn.
  const variants = known.find((entry) => entry.compareWith);
  const applied: KnownDifference[] = variants ? [variants] : [];
  let stockOperation: Operation = variants && operation.equivalent ? operation.equivalent : operation;
  const rewrites: KnownDifference[] = [];
  for (const entry of known.filter((candidate) => candidate.stockOperation)) {
    const rewritten = entry.stockOperation!(stockOperation);
    if (rewritten.query === stockOperation.query) continue;
    rewrites.push(entry);
    stockOperation = rewritten;
  }
  applied.push(...rewrites);

  const candidates: { on: string; answer: GatewayAnswer }[] = [];
  for (const variant of variants?.compareWith ?? ['']) {
    const gateway = started.stock[variant] ?? new Error(`The shape has no variant ${variant}.`);
    let answer = await answerOf(started, gateway, stripLabels(stockOperation));
    for (const entry of [...rewrites].reverse()) answer = entry.stockAnswer?.(answer) ?? answer;
    candidates.push({ on: variant === '' ? 'stock' : `stock on the variant "${variant}"`, answer });
  }
  const context = {
    schema: started.schema,
    operation,
    stockAnswers: (asked: Operation) => answerOf(started, started.stock[''] ?? new Error('no stock'), stripLabels(asked)),
  };
  // Each normalization may let another apply (values first made the spec's, then their order): a few passes.
  for (const candidate of candidates) {
    for (let pass = 0; pass < 3; pass++) {
      let changed = false;
      for (const entry of known.filter((each) => each.normalize)) {
        const normalized = entry.normalize!(junction, candidate.answer, context);
        if (!normalized || normalized.data === candidate.answer.data) continue;
        candidate.answer = normalized;
        changed = true;
        if (!applied.includes(entry)) applied.push(entry);
      }
      if (!changed) break;
    }
  }
  const base = { operation, junction, ...(stockOperation.query !== operation.query ? { stockOperation } : {}) };
  const instead = known.find((entry) => entry.instead);
  if (instead) {
    const difference = instead.instead!(junction);
    const [{ on, answer }] = candidates as [(typeof candidates)[number]];
    return { ok: difference === undefined, ...base, stock: answer, stockOn: on, ...(difference ? { difference } : {}), known: [...applied, instead] };
  }
  for (const { on, answer } of candidates) {
    if (!firstDifference(junction, answer)) return { ok: true, ...base, stock: answer, stockOn: on, known: applied };
  }
  for (const { on, answer } of candidates) {
    for (const entry of known.filter((candidate) => candidate.accept)) {
      if ((await entry.accept!(junction, answer, context)) === undefined) {
        return { ok: true, ...base, stock: answer, stockOn: on, known: [...applied, entry] };
      }
    }
  }
  const [first] = candidates;
  return { ok: false, ...base, stock: first!.answer, stockOn: first!.on, difference: firstDifference(junction, first!.answer)!, known: applied };
}

/** Stock cannot be told which labels are active: an equivalent supergraph stands for them. */
function stripLabels({ overrideLabels: _labels, ...operation }: Operation): Operation {
  return operation;
}
