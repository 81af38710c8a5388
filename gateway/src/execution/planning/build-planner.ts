import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import { parse, type DocumentNode } from 'graphql';
import { CONTEXT_FEATURE } from '../context-rewrites.js';

/** One operation for the planner: its document's text (or the document), the operation's name, active override labels. */
export type PlanRequest = {
  text: string;
  operationName: string | undefined;
  /** Progressive override labels, each active or not (override-labels.ts). */
  overrides: readonly (readonly [string, boolean])[] | undefined;
  /** Plan `@defer` fragments as deferred blocks (the client reads multipart); otherwise the planner ignores `@defer`. */
  defer?: boolean | undefined;
};

/** The planner's answer: a plan, or why there is none (the client's operation, or the planner's own failure). */
export type PlanReply =
  | { ok: true; plan: QueryPlan }
  | { ok: false; kind: 'invalid' | 'planner' | 'timeout'; message: string };

/** The supergraph as Apollo's planner reads it; @context is linked `for: SECURITY`, which the default refuses and the executor applies. */
export function loadSupergraph(sdl: string): Supergraph {
  return Supergraph.build(sdl, { supportedFeatures: new Set([...DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, CONTEXT_FEATURE]) });
}

/** Plans operations on `supergraph`, on whichever thread calls it. */
export function createPlanFunction(supergraph: Supergraph): (request: PlanRequest, document?: DocumentNode) => PlanReply {
  const planner = new QueryPlanner(supergraph);
  // Only operations with @defer, for clients that read multipart, plan with incremental delivery: every other plan stays as it was.
  let deferring: QueryPlanner | undefined;
  const apiSchema = supergraph.apiSchema();
  return (request, document) => {
    let operation: ReturnType<typeof operationFromDocument>;
    try {
      operation = operationFromDocument(apiSchema, document ?? parse(request.text), { operationName: request.operationName });
    } catch (error) {
      return { ok: false, kind: 'invalid', message: messageOf(error) };
    }
    try {
      const overrideConditions = request.overrides ? new Map(request.overrides) : undefined;
      const chosen = request.defer ? (deferring ??= new QueryPlanner(supergraph, { incrementalDelivery: { enableDefer: true } })) : planner;
      return { ok: true, plan: chosen.buildQueryPlan(operation, overrideConditions ? { overrideConditions } : undefined) };
    } catch (error) {
      return { ok: false, kind: 'planner', message: messageOf(error) };
    }
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
