import { Kind, type ValueNode } from 'graphql';
import type { CostInput, CostSchema } from './cost-schema.js';
import type { VariableValue } from './operation-variables.js';

/**
 * Nesting followed in an argument's value. Deeper values (a recursive input
 * type, or a variable nested on purpose) add nothing more: the count stays
 * linear and the stack shallow, whatever a client sends.
 */
const MAX_NESTING = 64;

/**
 * The cost of one argument's value, as the cost spec and Apollo Router have
 * it: an input object costs its weight (1 unless `@cost` says) plus its
 * fields'; a list, its weight (0 unless `@cost` says) plus its items'; a
 * scalar or an enum, its weight (or 0); null nothing. A variable counts as
 * the value it holds.
 */
export function argumentCost(value: ValueNode, input: CostInput, schema: CostSchema, variable: VariableValue, depth = 0): number {
  // A scalar or an enum without a weight costs nothing whatever its value: its variable (an id) is not read, so it keys no estimate.
  if (depth > MAX_NESTING || (!input.inputObject && input.weight === undefined)) return 0;
  switch (value.kind) {
    case Kind.NULL:
      return 0;
    case Kind.VARIABLE:
      return valueCost(variable(value.name.value), input, schema, depth);
    case Kind.LIST: {
      let cost = input.weight ?? 0;
      for (const item of value.values) cost += argumentCost(item, input, schema, variable, depth + 1);
      return cost;
    }
    case Kind.OBJECT: {
      if (!input.inputObject) return input.weight ?? 0;
      const fields = schema.inputs.get(input.type);
      let cost = input.weight ?? 1;
      for (const field of value.fields) {
        const definition = fields?.get(field.name.value);
        // An unknown input field: validation refuses the operation before anything runs.
        if (definition) cost += argumentCost(field.value, definition, schema, variable, depth + 1);
      }
      return cost;
    }
    default:
      return input.weight ?? 0;
  }
}

/** The same for a value from the request's variables (JSON). */
export function valueCost(value: unknown, input: CostInput, schema: CostSchema, depth = 0): number {
  if (value === null || value === undefined || depth > MAX_NESTING) return 0;
  if (Array.isArray(value)) {
    let cost = input.weight ?? 0;
    for (const item of value) cost += valueCost(item, input, schema, depth + 1);
    return cost;
  }
  if (typeof value === 'object' && input.inputObject) {
    const fields = schema.inputs.get(input.type);
    let cost = input.weight ?? 1;
    for (const [name, field] of Object.entries(value)) {
      const definition = fields?.get(name);
      if (definition) cost += valueCost(field, definition, schema, depth + 1);
    }
    return cost;
  }
  return input.weight ?? 0;
}
