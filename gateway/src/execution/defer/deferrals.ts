import type { DeferredNode } from '@apollo/query-planner';
import { GraphQLError } from 'graphql';
import type { Deferrals, PlanResult } from '../query-plan-executor.js';

/** The deferred blocks of one request's plan, each run once the blocks it depends on have, by the gateway's label. */
export type DeferredRuns = Deferrals & {
  /** Resolves with the block's own errors once it ran; undefined for a fragment the plan has no block for (its fields came with its parent's). */
  done(id: string): Promise<PlanResult> | undefined;
};

/**
 * A deferred block shares the request's data tree (its fetches merge into
 * the objects the primary block fetched) but keeps its own errors, which go
 * in its own payload. It starts after the primary block of its Defer node
 * (the plan executor starts it then) and after each deferred block it
 * depends on (`depends[].deferLabel`).
 */
export function createDeferredRuns(): DeferredRuns {
  const runs = new Map<string, { promise: Promise<PlanResult>; resolve: (result: PlanResult) => void; started: boolean }>();
  const entry = (id: string) => {
    let run = runs.get(id);
    if (!run) {
      let resolve!: (result: PlanResult) => void;
      const promise = new Promise<PlanResult>((done) => (resolve = done));
      runs.set(id, (run = { promise, resolve, started: false }));
    }
    return run;
  };
  return {
    start(block: DeferredNode, shared, execute) {
      // Every @defer is labelled by the gateway before planning (defer-directive.ts).
      const run = entry(block.label ?? '');
      run.started = true;
      const own: PlanResult = { data: shared.data, errors: [], escapes: true, failed: shared.failed, refused: shared.refused };
      const before = block.depends.flatMap((dependency) => (dependency.deferLabel ? [entry(dependency.deferLabel).promise] : []));
      void Promise.all(before)
        .then(() => execute(own))
        .catch((error: unknown) => {
          own.errors.push(error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error)));
        })
        .then(() => run.resolve(own));
    },
    done(id) {
      const run = runs.get(id);
      return run?.started ? run.promise : undefined;
    },
  };
}
