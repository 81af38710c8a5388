import { Kind, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { argumentCost } from './argument-cost.js';
import type { CostField, CostSchema } from './cost-schema.js';
import { isSkipped, type VariableValue } from './operation-variables.js';

/** One response key of an object in the answer: the field it answers, and every selection of it (fragments merge them). */
type Collected = { parent: string; field: FieldNode; selections: SelectionSetNode[] };

/**
 * The cost of what an answer holds, as Apollo Router measures its "actual"
 * cost: the estimate's rules over the data as it came back, each list counted
 * at its real length. A field's own weight and its arguments' count once per
 * object it appears in, its type's weight once per instance returned; what
 * the answer left out (skipped, refused, null) costs nothing. Unlike the
 * Router, each response key is counted once however many fragments select it,
 * and aliases are followed.
 */
export function actualCost(
  schema: CostSchema,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  operation: OperationDefinitionNode,
  variable: VariableValue,
  data: unknown,
): number {
  const root = schema.roots[operation.operation];
  if (root === undefined || !isObject(data)) return 0;

  function object(selections: readonly SelectionSetNode[], type: string, value: Record<string, unknown>): number {
    const runtime = runtimeType(type, value, selections);
    const fields = new Map<string, Collected>();
    for (const set of selections) collect(set, type, runtime, fields, new Set());
    let cost = 0;
    for (const [key, { parent, field, selections: inner }] of fields) {
      const answered = value[key];
      const definition = schema.outputs.get(parent)?.get(field.name.value);
      if (answered === undefined || !definition || field.name.value.startsWith('__')) continue;
      let call = definition.weight;
      for (const argument of field.arguments ?? []) {
        const input = definition.arguments.get(argument.name.value);
        if (input) call += argumentCost(argument.value, input, schema, variable);
      }
      cost += Math.max(0, call) + instances(definition, inner, answered);
    }
    return cost;
  }

  function instances(definition: CostField, selections: readonly SelectionSetNode[], value: unknown): number {
    if (Array.isArray(value)) {
      let cost = 0;
      for (const item of value) cost += instances(definition, selections, item);
      return cost;
    }
    if (isObject(value)) return (definition.typeWeight ?? 1) + object(selections, definition.type, value);
    // A scalar, an enum, or null: its type's weight, if `@cost` gives it one.
    return definition.typeWeight ?? 0;
  }

  /** The fields `set` selects on an object of type `runtime` (unknown: every fragment applies), by response key. */
  function collect(set: SelectionSetNode, scope: string, runtime: string | undefined, into: Map<string, Collected>, spreading: Set<string>): void {
    for (const selection of set.selections) {
      if (isSkipped(selection.directives, variable)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const seen = into.get(key);
        if (!seen) into.set(key, { parent: scope, field: selection, selections: selection.selectionSet ? [selection.selectionSet] : [] });
        else if (selection.selectionSet) seen.selections.push(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition?.name.value ?? scope;
        if (applies(condition, runtime)) collect(selection.selectionSet, condition, runtime, into, spreading);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || spreading.has(name) || !applies(fragment.typeCondition.name.value, runtime)) continue;
        spreading.add(name);
        collect(fragment.selectionSet, fragment.typeCondition.name.value, runtime, into, spreading);
        spreading.delete(name);
      }
    }
  }

  function applies(condition: string, runtime: string | undefined): boolean {
    return runtime === undefined || condition === runtime || schema.possibleTypes.get(condition)?.has(runtime) === true;
  }

  /** The object's type: the field's, or for an interface or union the `__typename` the answer holds, if it selected one. */
  function runtimeType(type: string, value: Record<string, unknown>, selections: readonly SelectionSetNode[]): string | undefined {
    if (!schema.possibleTypes.has(type)) return type;
    for (const set of selections) {
      const key = typenameKey(set, new Set());
      if (key !== undefined && typeof value[key] === 'string') return value[key];
    }
    return undefined;
  }

  function typenameKey(set: SelectionSetNode, spreading: Set<string>): string | undefined {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '__typename') return selection.alias?.value ?? '__typename';
        continue;
      }
      const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value)?.selectionSet;
      if (!inner || (selection.kind === Kind.FRAGMENT_SPREAD && spreading.has(selection.name.value))) continue;
      if (selection.kind === Kind.FRAGMENT_SPREAD) spreading.add(selection.name.value);
      const key = typenameKey(inner, spreading);
      if (key !== undefined) return key;
    }
    return undefined;
  }

  return object([operation.selectionSet], root, data);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
