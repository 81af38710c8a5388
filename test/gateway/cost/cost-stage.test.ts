import type { IncomingMessage } from 'node:http';
import { getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Identity } from '#lib/identity.js';
import type { Answer, OperationState } from '#gateway/pipeline/stage.js';
import { createCostEstimator, type CostEstimator } from '#gateway/stages/cost/cost-estimator.js';
import { costStage } from '#gateway/stages/cost/cost-stage.js';
import type { ServedSupergraph } from '#gateway/supergraph/served-supergraphs.js';
import { annotatedSupergraph, IMPORTED } from './annotated-supergraph.js';

/** The stage alone: what it keeps per document, what it refuses, what it leaves alone. */
const settings = { maxCost: 1_000, anonymousMaxCost: 500, contractMaxCost: new Map([['partner', 50]]), listSize: 100 };

/** An estimator over the annotated supergraph that counts the estimates it makes. */
function countingEstimator(): CostEstimator & { made: number } {
  const inner = createCostEstimator(annotatedSupergraph(IMPORTED), { listSize: 100 });
  const counting = { ...inner, made: 0 };
  counting.estimate = (...args) => {
    counting.made += 1;
    return inner.estimate(...args);
  };
  return counting;
}

function operation(cost: CostEstimator, query: string, variables: Record<string, unknown> = {}, options: { identity?: Identity; headers?: Record<string, string> } = {}): OperationState {
  const document = parse(query);
  return {
    request: { req: { headers: options.headers ?? {} } as IncomingMessage, requestId: 'r', identity: options.identity ?? null },
    method: 'POST',
    sent: { query, variables },
    served: { cost } as ServedSupergraph,
    query,
    document,
    operation: getOperationAST(document)!,
  };
}

const QUERY = 'query Q($id: ID!, $skip: Boolean!) { book(id: $id) { id } books @skip(if: $skip) { id } }';

describe('the cost stage', () => {
  it('keeps an estimate per document, for the values of the variables it read: an id makes no new one', () => {
    const stage = costStage({ settings, contractOf: () => undefined });
    const estimator = countingEstimator();
    const run = (variables: Record<string, unknown>) => stage.onOperation!(operation(estimator, QUERY, variables));
    expect(run({ id: '1', skip: true })).toBeUndefined();
    expect(run({ id: '2', skip: true })).toBeUndefined();
    expect(estimator.made).toBe(1);
    // 1 + 100 books, under the anonymous limit (500): a new estimate for the new value of $skip.
    expect(run({ id: '3', skip: false })).toBeUndefined();
    expect(run({ id: '4', skip: true })).toBeUndefined();
    expect(estimator.made).toBe(2);
  });

  it('prices anew for another supergraph (a reload, a contract)', () => {
    const stage = costStage({ settings, contractOf: () => undefined });
    const [first, second] = [countingEstimator(), countingEstimator()];
    stage.onOperation!(operation(first, QUERY, { id: '1', skip: true }));
    stage.onOperation!(operation(second, QUERY, { id: '1', skip: true }));
    expect([first.made, second.made]).toEqual([1, 1]);
  });

  it('refuses by the caller’s limit: a key’s own, its contract’s, anonymous, MAX_COST', () => {
    const stage = costStage({ settings, contractOf: (identity) => (identity?.client === 'acme' ? 'partner' : undefined) });
    const estimator = countingEstimator();
    const costOf600 = '{ newest(first: 600) { id } }';
    const user: Identity = { kind: 'user', subject: '7', scopes: [] };
    const refusedMax = (identity?: Identity) =>
      (stage.onOperation!(operation(estimator, costOf600, {}, identity ? { identity } : {})) as { errors: { extensions: { cost: { max: number } } }[] } | undefined)
        ?.errors[0]!.extensions.cost.max;
    expect(refusedMax()).toBe(500);
    expect(refusedMax(user)).toBeUndefined();
    expect(refusedMax({ ...user, client: 'acme' })).toBe(50);
    expect(refusedMax({ kind: 'api-key', subject: 'k', scopes: [], client: 'acme', maxCost: 100 })).toBe(100);
    expect(refusedMax({ kind: 'api-key', subject: 'k', scopes: [], client: 'acme', maxCost: 600 })).toBeUndefined();
  });

  it('refuses a field without its one slicing argument', () => {
    const stage = costStage({ settings, contractOf: () => undefined });
    expect(stage.onOperation!(operation(countingEstimator(), '{ window { id } }'))).toEqual({
      status: 400,
      errors: [
        {
          message: 'Field "window" takes exactly one of its slicing arguments (first, last), but 0 were given.',
          extensions: { code: 'COST_INVALID_SLICING_ARGUMENTS' },
        },
      ],
    });
  });

  it('leaves the answer alone unless the client asked: its data is never parsed', () => {
    const stage = costStage({ settings, contractOf: () => undefined });
    const estimator = countingEstimator();
    const state = operation(estimator, '{ books { id } }');
    stage.onOperation!(state);
    const untouchable: Answer = {
      get data(): Record<string, unknown> {
        throw new Error('parsed');
      },
    };
    expect(stage.onAnswer!(state, untouchable)).toBeUndefined();

    const asked = operation(estimator, '{ books { id } }', {}, { headers: { 'x-junction-cost': 'estimated' } });
    stage.onOperation!(asked);
    expect(stage.onAnswer!(asked, { data: { books: [] }, extensions: { other: 1 } })).toEqual({
      data: { books: [] },
      extensions: { other: 1, cost: { estimated: 100 } },
    });
  });
});
