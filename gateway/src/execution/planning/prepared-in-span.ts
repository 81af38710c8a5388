import type { DocumentNode, GraphQLError, OperationDefinitionNode } from 'graphql';
import { activeSpan, markFailed, withChildSpanAsync } from '#lib/telemetry.js';

/**
 * Validation and planning in a span of their own, named as Apollo Router names
 * it; only on a plan-cache miss, so a trace shows when an operation was new.
 */
export function preparedInSpan<P extends { ok: true; operation: OperationDefinitionNode } | { ok: false; errors: readonly GraphQLError[] }>(
  prepare: (document: DocumentNode, operationName: string | null | undefined) => Promise<P>,
  document: DocumentNode,
  operationName: string | null | undefined,
): Promise<P> {
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
