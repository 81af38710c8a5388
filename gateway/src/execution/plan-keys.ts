import type { Supergraph } from '@apollo/federation-internals';
import type { FetchNode, PlanNode, QueryPlan, QueryPlanSelectionNode } from '@apollo/query-planner';
import { Kind, parse, type SelectionSetNode } from 'graphql';

/**
 * Entity fetches whose representations carry none of the keys the subgraph
 * can resolve the type by. The query planner makes such plans in known shapes
 * (a type with several keys, some `resolvable: false`, and a `@requires`: it
 * sends the fields of a key the subgraph only declares): the subgraph then
 * fails, or worse, resolves a partial key to the wrong entity. Junction
 * checks each plan once and does not send such a fetch: the fields it was
 * for are null with an error at their places (query-plan-executor.ts).
 */

type Keys = Map<string, string[][]>;

/** The resolvable keys of every entity type of every subgraph, as field paths (`pair.y`); read once per supergraph. */
export function resolvableKeys(supergraph: Supergraph): (subgraph: string, type: string) => string[][] | undefined {
  const bySubgraph = new Map<string, Keys>();
  return (subgraph, type) => {
    let keys = bySubgraph.get(subgraph);
    if (!keys) {
      keys = new Map();
      const source = supergraph.subgraphs().get(subgraph);
      if (source) {
        const keyDirective = source.metadata().keyDirective();
        for (const named of source.schema.types()) {
          const applications = named.appliedDirectivesOf(keyDirective);
          if (applications.length === 0) continue;
          keys.set(
            named.name,
            applications.filter((key) => key.arguments().resolvable !== false).map((key) => fieldPaths(parse(`{${key.arguments().fields}}`).definitions[0]! as never)),
          );
        }
      }
      bySubgraph.set(subgraph, keys);
    }
    return keys.get(type);
  };
}

/** The entity fetches of a plan that cannot be resolved, with why, for the client. */
export function unresolvableFetches(plan: QueryPlan, keysOf: (subgraph: string, type: string) => string[][] | undefined): Map<FetchNode, string> {
  const found = new Map<FetchNode, string>();
  for (const fetch of entityFetches(plan.node)) {
    for (const selection of fetch.requires ?? []) {
      if (selection.kind !== 'InlineFragment' || !selection.typeCondition) continue;
      const keys = keysOf(fetch.serviceName, selection.typeCondition);
      // A type the subgraph does not know by that name (an entity interface's implementation, say) is not judged here.
      if (!keys) continue;
      const sent = new Set(requiredPaths(selection.selections, ''));
      if (!keys.some((key) => key.every((path) => sent.has(path)))) {
        found.set(fetch, `The query plan asks the ${fetch.serviceName} subgraph for ${selection.typeCondition} entities by a key it cannot resolve them by; the gateway did not send it.`);
      }
    }
  }
  return found;
}

function entityFetches(node: PlanNode | QueryPlan['node']): FetchNode[] {
  if (!node) return [];
  switch (node.kind) {
    case 'Fetch':
      return node.requires ? [node] : [];
    case 'Flatten':
      return entityFetches(node.node);
    case 'Sequence':
    case 'Parallel':
      return node.nodes.flatMap(entityFetches);
    case 'Condition':
      return [...entityFetches(node.ifClause), ...entityFetches(node.elseClause)];
    case 'Defer':
      return [...entityFetches(node.primary.node), ...node.deferred.flatMap((deferred) => entityFetches(deferred.node))];
    case 'Subscription':
      return [...entityFetches(node.primary), ...entityFetches(node.rest)];
  }
}

function requiredPaths(selections: readonly QueryPlanSelectionNode[], prefix: string): string[] {
  return selections.flatMap((selection) => {
    if (selection.kind === 'InlineFragment') return requiredPaths(selection.selections, prefix);
    const path = `${prefix}${selection.alias ?? selection.name}`;
    return selection.selections ? requiredPaths(selection.selections, `${path}.`) : [path];
  });
}

function fieldPaths(operation: { selectionSet: SelectionSetNode }, prefix = ''): string[] {
  return operation.selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldPaths(selection, prefix);
    if (selection.kind !== Kind.FIELD) return [];
    const path = `${prefix}${selection.name.value}`;
    return selection.selectionSet ? fieldPaths({ selectionSet: selection.selectionSet }, `${path}.`) : [path];
  });
}
