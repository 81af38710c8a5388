import { Kind, valueFromASTUntyped, type DirectiveNode, type OperationDefinitionNode, type ValueNode } from 'graphql';

/** A variable's value as the request gives it (or its definition's default); undefined when it has neither. */
export type VariableValue = (name: string) => unknown;

/** Reads variables as execution will see them (given, else their default), noting each one read in `read`. */
export function variableReader(operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>>, read?: Set<string>): VariableValue {
  const defaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) defaults.set(definition.variable.name.value, definition.defaultValue);
  }
  return (name) => {
    read?.add(name);
    if (Object.hasOwn(variables, name)) return variables[name];
    const fallback = defaults.get(name);
    return fallback && valueFromASTUntyped(fallback);
  };
}

/**
 * Whether `@skip` or `@include` leaves a selection out with these variables. A
 * condition that cannot be decided (a variable without a value) leaves it in:
 * an estimate stays an upper bound.
 */
export function isSkipped(directives: readonly DirectiveNode[] | undefined, variable: VariableValue): boolean {
  if (!directives) return false;
  for (const directive of directives) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const condition = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
    const value = condition?.kind === Kind.BOOLEAN ? condition.value : condition?.kind === Kind.VARIABLE ? variable(condition.name.value) : undefined;
    if (typeof value === 'boolean' && value === (name === 'skip')) return true;
  }
  return false;
}
