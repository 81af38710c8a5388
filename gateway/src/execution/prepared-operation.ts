import type { FetchNode, QueryPlan } from '@apollo/query-planner';
import type { DocumentNode, FragmentDefinitionNode, GraphQLError, OperationDefinitionNode } from 'graphql';
import { activeSpan, markFailed, withChildSpanAsync } from '#lib/telemetry.js';
import type { Shape } from './response-shape.js';

/** One operation of one document, ready to run. */
export type Prepared =
  | { ok: false; status: number; errors: readonly GraphQLError[] }
  | {
      ok: true;
      operation: OperationDefinitionNode;
      fragments: Record<string, FragmentDefinitionNode>;
      plan: QueryPlan;
      /** Variables that @skip/@include read, for the shape's cache key. */
      conditionVariables: string[];
      shapes: Map<string, Shape>;
      /** The root `__schema`/`__type` fields alone, run by graphql-js against the API schema. */
      introspection?: DocumentNode;
      /** Aliases the gateway gave the client's fields (operation-planner.ts), to the client's response names. */
      renames?: ReadonlyMap<string, string>;
      /** Root fields no subgraph can resolve (an empty plan). */
      unplanned?: (variables: Readonly<Record<string, unknown>>) => string[];
      /** Fetches of the plan not to send (plan-keys.ts). */
      refused?: ReadonlyMap<FetchNode, string>;
      /** Planned with incremental delivery: the gateway's labels of its `@defer`s, to the client's (defer-directive.ts). */
      deferLabels?: ReadonlyMap<string, string | undefined>;
    };

/**
 * Validation and planning in a span of their own, named as Apollo Router names
 * it; only on a plan-cache miss, so a trace shows when an operation was new.
 */
export function preparedInSpan(
  prepare: (document: DocumentNode, operationName: string | null | undefined) => Promise<Prepared>,
  document: DocumentNode,
  operationName: string | null | undefined,
): Promise<Prepared> {
  return withChildSpanAsync('query_planning', operationName ? { 'graphql.operation.name': operationName } : {}, async () => {
    const prepared = await prepare(document, operationName);
    const span = activeSpan();
    if (!span) return prepared;
    if (prepared.ok) {
      span.setAttribute('graphql.operation.type', prepared.operation.operation);
      if (prepared.operation.name) span.setAttribute('graphql.operation.name', prepared.operation.name.value);
    } else markFailed(span, String(prepared.errors[0]?.extensions.code ?? 'GRAPHQL_VALIDATION_FAILED'));
    return prepared;
  });
}
