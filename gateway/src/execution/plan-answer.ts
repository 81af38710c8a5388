import type { SubsequentPayload } from './defer/incremental-answer.js';
import { GraphQLError } from 'graphql';
import type { AnswerBudget } from '#gateway/fetch/transport.js';
import { explainedBy, renamed } from './error-paths.js';
import type { PlanResult } from './query-plan-executor.js';
import type { Shape } from './response-shape.js';
import { writeResponse } from './response-writer.js';

export type ExecutionResult = {
  /** 400 for a request that could not run (invalid document or variables), 200 otherwise. */
  status: number;
  /** JSON text of `data`, absent when the operation did not run. */
  data?: string;
  errors: readonly GraphQLError[];
  extensions?: Record<string, unknown>;
  /** The payloads after this one, when fragments are deferred (defer/incremental-answer.ts): this result is the initial payload. */
  subsequent?: AsyncIterable<SubsequentPayload>;
  /** A subscription event's: when its data arrived from the subgraph (performance.now()), for its latency. */
  receivedAt?: number;
};

/**
 * A plan's result written as the client's answer (response-writer.ts), within
 * what is left of `budget`: a query's answer, or one subscription event's.
 */
export function answerOf(
  shape: Shape,
  execution: PlanResult,
  budget: AnswerBudget | undefined,
  renames: ReadonlyMap<string, string> | undefined,
  introspected?: Record<string, unknown>,
): ExecutionResult {
  const written = writeResponse(shape, execution.data, {
    introspection: introspected,
    escapes: execution.escapes,
    explained: explainedBy(execution.errors, execution.failed),
    refused: execution.refused,
    maxBytes: budget ? budget.limit - budget.written : undefined,
  });
  if ('tooLarge' in written) return tooLarge(budget!.limit);
  if (budget) budget.written += written.bytes;
  const errors = written.errors.length > 0 ? [...execution.errors, ...written.errors] : execution.errors;
  return { status: 200, data: written.data, errors: renames ? errors.map((error) => renamed(error, renames)) : errors };
}

/**
 * The answer to an operation whose answer passed the request's budget
 * (MAX_RESPONSE_BYTES): its subgraph answers or the text written from them.
 * No part of the data: a cut-off answer would be a wrong one.
 */
export function tooLarge(limit: number): ExecutionResult {
  const message = `The answer is larger than this gateway's limit of ${limit} bytes: ask for fewer fields or fewer items.`;
  return { status: 200, data: 'null', errors: [new GraphQLError(message, { extensions: { code: 'RESPONSE_TOO_LARGE' } })] };
}
