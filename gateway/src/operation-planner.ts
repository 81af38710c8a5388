import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { QueryPlan, QueryPlanner } from '@apollo/query-planner';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type DirectiveNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { splitIntrospection } from './introspection-split.js';
import { planConflicts, type Conflict, type Requirements } from './plan-conflicts.js';

/**
 * One operation planned: the query planner's plan for what subgraphs answer,
 * graphql-js's document for the introspection fields, and the operation the
 * response writer shapes. Where the plan would merge two different fields
 * into one response name (plan-conflicts.ts), the client's fields are aliased
 * out of the way and planned again; `renames` maps each alias back to the
 * client's response name. Where that does not settle it, the operation is
 * refused with QUERY_PLAN_CONFLICT rather than answered wrongly.
 */
export type PlannedOperation =
  | { ok: false; status: number; errors: readonly GraphQLError[] }
  | {
      ok: true;
      plan: QueryPlan;
      /** The operation the response writer shapes: the client's, with any aliases. */
      operation: OperationDefinitionNode;
      fragments: Record<string, FragmentDefinitionNode>;
      /** The root `__schema`/`__type` fields alone, run by graphql-js against the API schema. */
      introspection?: DocumentNode;
      /** Aliases the gateway gave the client's fields, to the response names the client gave them. */
      renames?: ReadonlyMap<string, string>;
      /** Root fields no subgraph can resolve: the planner made no fetch for them. */
      unplanned?: string[];
    };

export type OperationPlanning = {
  planner: QueryPlanner;
  /** The API schema, as federation-internals models it: what operationFromDocument reads the client's operation against. */
  apiSchema: Schema;
  /** The whole supergraph as graphql-js (this module's copy), for the types of the planner's fetches. */
  supergraphSchema: () => GraphQLSchema;
  /** Each subgraph's `@requires` field sets, to check that the plan fetched what they need. */
  requirements?: Requirements;
};

export function planOperation(
  planning: OperationPlanning,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  operationName: string | null | undefined,
  overrideConditions: Map<string, boolean> | undefined,
): PlannedOperation {
  const first = planned(planning, document, operation, operationName, overrideConditions);
  if (!first.ok || !first.plannable) return first;
  const conflicts = planConflicts(planning.supergraphSchema(), first.plannable, first.plan, planning.requirements);
  if (conflicts.length === 0) return first;

  const clientFields = conflicts.filter((conflict): conflict is Conflict & { client: NonNullable<Conflict['client']> } => conflict.client !== undefined);
  const unsettled = conflicts.filter((conflict) => !conflict.client);
  if (clientFields.length > 0 && unsettled.length === 0) {
    const { document: aliased, renames } = aliasFields(document, clientFields);
    const aliasedOperation = getOperationAST(aliased, operationName);
    if (aliasedOperation) {
      const second = planned(planning, aliased, aliasedOperation, operationName, overrideConditions);
      if (!second.ok || !second.plannable) return second;
      const remaining = planConflicts(planning.supergraphSchema(), second.plannable, second.plan, planning.requirements);
      if (remaining.length === 0) return { ...second, renames };
      return refusal(remaining);
    }
  }
  return refusal(conflicts);
}

function planned(
  planning: OperationPlanning,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  operationName: string | null | undefined,
  overrideConditions: Map<string, boolean> | undefined,
): PlannedOperation & { plannable?: DocumentNode } {
  const { introspection, plannable } = splitIntrospection(document, operation);
  let plan: QueryPlan = { kind: 'QueryPlan' };
  if (plannable) {
    let federated: ReturnType<typeof operationFromDocument>;
    try {
      federated = operationFromDocument(planning.apiSchema, plannable, { operationName: operationName ?? undefined });
    } catch (error) {
      return { ok: false, status: 400, errors: [new GraphQLError(messageOf(error), { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })] };
    }
    try {
      plan = planning.planner.buildQueryPlan(federated, overrideConditions ? { overrideConditions } : undefined);
    } catch (error) {
      // A valid operation the query planner fails on: the gateway's failure, answered as stock answers it.
      return { ok: false, status: 500, errors: [new GraphQLError(messageOf(error), { extensions: { code: 'INVALID_GRAPHQL' } })] };
    }
  }
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  // An operation that asks subgraphs for something and gets an empty plan cannot be answered: say so where it asks.
  const unplanned = plannable && !plan.node ? rootFields(plannable) : [];
  return {
    ok: true,
    plan,
    operation,
    fragments,
    ...(introspection ? { introspection } : {}),
    ...(plannable ? { plannable } : {}),
    ...(unplanned.length > 0 ? { unplanned } : {}),
  };
}

/**
 * The document with each of the client's conflicting fields given an alias
 * of the gateway's (`junction_alias_0`, … unused by the document): wherever
 * that field is selected under that response name, so fragments stay consistent.
 */
function aliasFields(document: DocumentNode, conflicts: readonly (Conflict & { client: NonNullable<Conflict['client']> })[]): { document: DocumentNode; renames: Map<string, string> } {
  const used = new Set<string>();
  visit(document, {
    Field(field) {
      used.add(field.alias?.value ?? field.name.value);
    },
  });
  const aliases = new Map<string, string>();
  const renames = new Map<string, string>();
  let next = 0;
  for (const conflict of conflicts) {
    const key = `${conflict.responseName}\u0000${fieldNameOf(conflict.client.text)}`;
    if (aliases.has(key)) continue;
    let alias: string;
    do alias = `junction_alias_${next++}`;
    while (used.has(alias));
    aliases.set(key, alias);
    renames.set(alias, conflict.responseName);
  }
  const aliased = visit(document, {
    // Introspection is answered by graphql-js on its own, under the client's names: its fields keep theirs.
    FragmentDefinition: (fragment) => (fragment.typeCondition.name.value.startsWith('__') ? false : undefined),
    Field(field: FieldNode): FieldNode | false | undefined {
      if (field.name.value === '__schema' || field.name.value === '__type') return false;
      // Every field of that name under that response name: aliasing one that did not conflict is harmless.
      const alias = aliases.get(`${field.alias?.value ?? field.name.value}\u0000${field.name.value}`);
      return alias ? { ...field, alias: { kind: Kind.NAME, value: alias } } : undefined;
    },
  });
  return { document: aliased, renames };
}

/**
 * The response names of an operation's root fields that literal @skip and
 * @include keep (a variable condition would have given the plan a
 * Condition node), `__typename` aside.
 */
function rootFields(document: DocumentNode): string[] {
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const names = new Set<string>();
  const kept = (directives: readonly DirectiveNode[] | undefined) =>
    (directives ?? []).every((directive) => {
      const condition = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
      if (condition?.kind !== Kind.BOOLEAN) return true;
      return directive.name.value === 'skip' ? !condition.value : directive.name.value === 'include' ? condition.value : true;
    });
  const visitSelections = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (!kept(selection.directives)) continue;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== '__typename') names.add(selection.alias?.value ?? selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) visitSelections(selection.selectionSet);
    }
  };
  if (operation) visitSelections(operation.selectionSet);
  return [...names];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `comments` of `comments(limit:1)`. */
function fieldNameOf(signature: string): string {
  return signature.slice(0, signature.indexOf('('));
}

function refusal(conflicts: readonly Conflict[]): PlannedOperation {
  const [conflict] = conflicts;
  const place = conflict ? `"${conflict.path ? `${conflict.path}.` : ''}${conflict.responseName}"` : 'one place';
  const message =
    `The gateway cannot answer this operation exactly: at ${place} the supergraph's query plan needs ` +
    `${conflicts.map((each) => `${each.fetched.type.name}.${each.fetched.text}`).join(', ')} where ` +
    `${conflicts.map((each) => (each.client ? `the operation selects ${each.client.type.name}.${each.client.text}` : 'another requirement needs another')).join(', ')}, ` +
    'and one response name cannot hold both.';
  return { ok: false, status: 400, errors: [new GraphQLError(message, { extensions: { code: 'QUERY_PLAN_CONFLICT' } })] };
}
