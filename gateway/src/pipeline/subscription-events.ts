import type { ExecutionResult } from '#gateway/execution/executor.js';
import type { Outcome } from './outcome.js';
import type { OperationState } from './stage.js';

/**
 * What makes two subscriptions the same one: the document that runs (the
 * authorization stage's, filtered for the caller), its variables, and all
 * the subgraphs learn of the caller (identity, forwarded headers, labels).
 */
export function sharingKey(operation: OperationState): string {
  const { request, sent } = operation;
  const identity = request.identity;
  return JSON.stringify([
    operation.query,
    sent.operationName ?? null,
    sent.variables ?? null,
    identity ? [identity.kind, identity.subject, identity.client ?? null, [...identity.scopes].sort()] : null,
    request.clientHeaders ?? null,
    operation.overrideLabels ? [...operation.overrideLabels].sort() : null,
  ]);
}

/** A subscription's events as Outcomes; `ended` runs once, however the stream ends. */
export function shapedEvents(
  source: AsyncIterableIterator<ExecutionResult>,
  answer: (event: ExecutionResult) => Outcome,
  ended: () => void,
): AsyncIterableIterator<Outcome> {
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    ended();
  };
  const events: AsyncIterableIterator<Outcome> = {
    async next() {
      if (finished) return { value: undefined, done: true };
      try {
        const next = await source.next();
        if (next.done) {
          finish();
          return { value: undefined, done: true };
        }
        return { value: answer(next.value), done: false };
      } catch (error) {
        finish();
        throw error;
      }
    },
    async return() {
      finish();
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => events,
  };
  return events;
}
