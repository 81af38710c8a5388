import { parentPort, workerData } from 'node:worker_threads';
import type { PlanNode, QueryPlan, SubscriptionNode } from '@apollo/query-planner';
import { createPlanFunction, loadSupergraph, type PlanReply, type PlanRequest } from './build-planner.js';

/**
 * A planning thread (planner-pool.ts): builds the planner for the supergraph
 * it is given once, then plans one operation per message and answers with the
 * plan, structured-cloned back to the gateway's thread.
 */
const plan = createPlanFunction(loadSupergraph((workerData as { supergraphSdl: string }).supergraphSdl));
const port = parentPort!;

port.on('message', ({ id, request }: { id: number; request: PlanRequest }) => {
  const reply: PlanReply = plan(request);
  if (reply.ok) dropDocuments(reply.plan);
  port.postMessage({ id, reply });
});
port.postMessage({ ready: true });

/** Fetch nodes carry their operation's parsed document too, which the executor never reads: not worth cloning. */
function dropDocuments(plan: QueryPlan): void {
  const visit = (node: PlanNode | SubscriptionNode | undefined): void => {
    if (!node) return;
    switch (node.kind) {
      case 'Fetch':
        delete (node as { operationDocumentNode?: unknown }).operationDocumentNode;
        return;
      case 'Sequence':
      case 'Parallel':
        for (const child of node.nodes) visit(child);
        return;
      case 'Flatten':
        return visit(node.node);
      case 'Defer':
        visit(node.primary.node);
        for (const deferred of node.deferred) visit(deferred.node);
        return;
      case 'Condition':
        visit(node.ifClause);
        visit(node.elseClause);
        return;
      case 'Subscription':
        visit(node.primary);
        visit(node.rest);
        return;
    }
  };
  visit(plan.node);
}
