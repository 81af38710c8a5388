import type { QueryPlan } from '@apollo/query-planner';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { splitIntrospection } from './introspection-split.js';
import type { PlanReply } from './planning/build-planner.js';
import { asksSomething, eachKeptField } from './selection-conditions.js';
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
      /** Root fields no subgraph can resolve, given the request's variables: the planner made no fetch for them. */
      unplanned?: (variables: Readonly<Record<string, unknown>>) => string[];
    };

export type OperationPlanning = {
  /**
   * Apollo's query planner for the operation in `document` (without its
   * introspection fields): on this thread, or on a planning thread
   * (planning/planner-pool.ts).
   */
  plan(document: DocumentNode, operationName: string | undefined, overrideConditions: Map<string, boolean> | undefined, defer?: boolean): PlanReply | Promise<PlanReply>;
  /** The whole supergraph as graphql-js (this module's copy), for the types of the planner's fetches. */
  supergraphSchema: () => GraphQLSchema;
  /** Each subgraph's `@requires` field sets, to check that the plan fetched what they need. */
  requirements?: Requirements;
};

export async function planOperation(
  planning: OperationPlanning,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  operationName: string | null | undefined,
  overrideConditions: Map<string, boolean> | undefined,
  defer = false,
): Promise<PlannedOperation> {
  let current = await planned(planning, document, operation, operationName, overrideConditions, defer);
  let aliasedDocument = document;
  const renames = new Map<string, string>();
  // Each round aliases the client's fields that collide; the plan for the aliased operation may show more (a
  // field nested in one just aliased), up to a few levels.
  for (let round = 0; ; round++) {
    if (!current.ok || !current.plannable) return current;
    const conflicts = planConflicts(planning.supergraphSchema(), current.plannable, current.plan, planning.requirements);
    if (conflicts.length === 0) return renames.size > 0 ? { ...current, renames } : current;
    const clientFields = conflicts.filter((conflict): conflict is Conflict & { client: NonNullable<Conflict['client']> } => conflict.client !== undefined);
    if (round >= MAX_ALIAS_ROUNDS || clientFields.length === 0 || clientFields.length < conflicts.length) return refusal(conflicts);
    const aliased = aliasFields(aliasedDocument, clientFields);
    const aliasedOperation = getOperationAST(aliased.document, operationName);
    if (!aliasedOperation) return refusal(conflicts);
    for (const [alias, name] of aliased.renames) renames.set(alias, renames.get(name) ?? name);
    aliasedDocument = aliased.document;
    current = await planned(planning, aliasedDocument, aliasedOperation, operationName, overrideConditions, defer);
  }
}

/** Rounds of aliasing before an operation whose plan still conflicts is refused. */
const MAX_ALIAS_ROUNDS = 4;

async function planned(
  planning: OperationPlanning,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  operationName: string | null | undefined,
  overrideConditions: Map<string, boolean> | undefined,
  defer: boolean,
): Promise<PlannedOperation & { plannable?: DocumentNode }> {
  const { introspection, plannable } = splitIntrospection(document, operation);
  let plan: QueryPlan = { kind: 'QueryPlan' };
  if (plannable) {
    const reply = await planning.plan(plannable, operationName ?? undefined, overrideConditions, defer);
    if (!reply.ok) return unplannable(reply);
    plan = reply.plan;
  }
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  // An operation that asks subgraphs for something and gets an empty plan cannot be answered: say so where it asks.
  // Whether the fields are skipped is known once the variables are: decided per request.
  const unplanned = plannable && !plan.node && rootFields(plannable).length > 0 ? (variables: Readonly<Record<string, unknown>>) => rootFields(plannable, variables) : undefined;
  return {
    ok: true,
    plan,
    operation,
    fragments,
    ...(introspection ? { introspection } : {}),
    ...(plannable ? { plannable } : {}),
    ...(unplanned ? { unplanned } : {}),
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
 * The response names of an operation's root fields that ask a subgraph for
 * something, given the request's variables: kept by @skip and @include, and
 * with a field other than `__typename` left in their selections, if they have
 * any (a field whose selections are all skipped asks for nothing: its plan is
 * rightly empty).
 */
function rootFields(document: DocumentNode, variables?: Readonly<Record<string, unknown>>): string[] {
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const names = new Set<string>();
  if (operation) {
    eachKeptField(operation.selectionSet, fragments, variables, (field) => {
      if (asksSomething(field, fragments, variables)) names.add(field.alias?.value ?? field.name.value);
    });
  }
  return [...names];
}

/** Why there is no plan, as the client is told. */
function unplannable(reply: Extract<PlanReply, { ok: false }>): PlannedOperation {
  switch (reply.kind) {
    case 'invalid':
      return { ok: false, status: 400, errors: [new GraphQLError(reply.message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })] };
    case 'timeout':
      // Ordinary operations plan in 1-100 ms: one that takes the whole budget is the operation's doing.
      return { ok: false, status: 400, errors: [new GraphQLError(`The operation takes too long to plan. ${reply.message}`, { extensions: { code: 'QUERY_PLANNING_TIMEOUT' } })] };
    case 'planner':
      // A valid operation the query planner fails on: the gateway's failure, answered as stock answers it.
      return { ok: false, status: 500, errors: [new GraphQLError(reply.message, { extensions: { code: 'INVALID_GRAPHQL' } })] };
  }
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
