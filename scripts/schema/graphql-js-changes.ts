import {
  findBreakingChanges,
  findDangerousChanges,
  isInputObjectType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  type GraphQLSchema,
} from 'graphql';
import { change, EVERY_OPERATION, type SchemaChange } from './schema-change.js';

/**
 * graphql-js's breaking and dangerous changes, each given the coordinate it is
 * about. graphql-js only describes a change in words, so each description is
 * read with the pattern of its (fixed, per-version) template; one that no
 * pattern reads is kept, and counted as affecting every operation.
 */
type Located = { coordinate: string; affects: string[] };
type Rule = [RegExp, (name: (group: number) => string, schema: GraphQLSchema) => Located];

const at = (coordinate: string, affects: string[] = [coordinate]): Located => ({ coordinate, affects });
const field = (type: string, name: string) => `${type}.${name}`;
const arg = (type: string, name: string, argument: string) => `${type}.${name}(${argument}:)`;

/** A value a caller cannot leave out: an operation that does not pass it breaks too. */
function isRequired(type: unknown, defaultValue: unknown): boolean {
  return isNonNullType(type) && defaultValue === undefined;
}

function argChanged(schema: GraphQLSchema, type: string, name: string, argument: string): Located {
  const parent = schema.getType(type);
  const definition =
    isObjectType(parent) || isInterfaceType(parent)
      ? parent.getFields()[name]?.args.find((candidate) => candidate.name === argument)
      : undefined;
  const coordinate = arg(type, name, argument);
  return at(coordinate, definition && isRequired(definition.type, definition.defaultValue) ? [field(type, name)] : [coordinate]);
}

function fieldChanged(schema: GraphQLSchema, type: string, name: string): Located {
  const parent = schema.getType(type);
  const inputField = isInputObjectType(parent) ? parent.getFields()[name] : undefined;
  const coordinate = field(type, name);
  return at(coordinate, inputField && isRequired(inputField.type, inputField.defaultValue) ? [type] : [coordinate]);
}

const RULES: Record<string, Rule> = {
  TYPE_REMOVED: [/^(?:Standard scalar )?(\w+) was removed/, (n) => at(n(1))],
  TYPE_CHANGED_KIND: [/^(\w+) changed from /, (n) => at(n(1))],
  // The member's type conditions are what stop matching (or validating).
  TYPE_REMOVED_FROM_UNION: [/^(\w+) was removed from union type (\w+)\.$/, (n) => at(n(2), [n(1)])],
  VALUE_REMOVED_FROM_ENUM: [/^(\w+) was removed from enum type (\w+)\.$/, (n) => at(`${n(2)}.${n(1)}`)],
  REQUIRED_INPUT_FIELD_ADDED: [/^A required field (\w+) on input type (\w+) was added\.$/, (n) => at(field(n(2), n(1)), [n(2)])],
  IMPLEMENTED_INTERFACE_REMOVED: [/^(\w+) no longer implements interface (\w+)\.$/, (n) => at(n(1))],
  FIELD_REMOVED: [/^(\w+)\.(\w+) was removed\.$/, (n) => at(field(n(1), n(2)))],
  FIELD_CHANGED_KIND: [/^(\w+)\.(\w+) changed type from /, (n, schema) => fieldChanged(schema, n(1), n(2))],
  ARG_REMOVED: [/^(\w+)\.(\w+) arg (\w+) was removed\.$/, (n) => at(arg(n(1), n(2), n(3)))],
  ARG_CHANGED_KIND: [/^(\w+)\.(\w+) arg (\w+) has changed type /, (n, schema) => argChanged(schema, n(1), n(2), n(3))],
  REQUIRED_ARG_ADDED: [/^A required arg (\w+) on (\w+)\.(\w+) was added\.$/, (n) => at(arg(n(2), n(3), n(1)), [field(n(2), n(3))])],
  DIRECTIVE_REMOVED: [/^(\w+) was removed\.$/, (n) => at(`@${n(1)}`)],
  DIRECTIVE_ARG_REMOVED: [/^(\w+) was removed from (\w+)\.$/, (n) => at(`@${n(2)}(${n(1)}:)`)],
  REQUIRED_DIRECTIVE_ARG_ADDED: [/^A required arg (\w+) on directive (\w+) was added\.$/, (n) => at(`@${n(2)}(${n(1)}:)`, [`@${n(2)}`])],
  DIRECTIVE_REPEATABLE_REMOVED: [/^Repeatable flag was removed from (\w+)\.$/, (n) => at(`@${n(1)}`)],
  DIRECTIVE_LOCATION_REMOVED: [/^(\w+) was removed from (\w+)\.$/, (n) => at(`@${n(2)}`)],
  // Dangerous: operations reading the type may meet a value or member they do not expect.
  VALUE_ADDED_TO_ENUM: [/^(\w+) was added to enum type (\w+)\.$/, (n) => at(`${n(2)}.${n(1)}`, [n(2)])],
  TYPE_ADDED_TO_UNION: [/^(\w+) was added to union type (\w+)\.$/, (n) => at(n(2))],
  OPTIONAL_INPUT_FIELD_ADDED: [/^An optional field (\w+) on input type (\w+) was added\.$/, (n) => at(field(n(2), n(1)), [n(2)])],
  IMPLEMENTED_INTERFACE_ADDED: [/^(\w+) added to interfaces implemented by (\w+)\.$/, (n) => at(n(2), [n(1)])],
  // Operations that leave the argument out get the new default.
  ARG_DEFAULT_VALUE_CHANGE: [
    /^(\w+)\.(\w+) arg (\w+) (?:defaultValue was removed|has changed defaultValue)/,
    (n) => at(arg(n(1), n(2), n(3)), [field(n(1), n(2))]),
  ],
  OPTIONAL_ARG_ADDED: [/^An optional arg (\w+) on (\w+)\.(\w+) was added\.$/, (n) => at(arg(n(2), n(3), n(1)), [field(n(2), n(3))])],
};

function locate(type: string, description: string, schema: GraphQLSchema): Located {
  const rule = RULES[type];
  const match = rule?.[0].exec(description);
  if (!rule || !match) return at('', [EVERY_OPERATION]);
  return rule[1]((group) => match[group] ?? '', schema);
}

/** graphql-js's verdict on old → new, located. */
export function findGraphqlJsChanges(oldSchema: GraphQLSchema, newSchema: GraphQLSchema): SchemaChange[] {
  const located = (severity: 'breaking' | 'dangerous') => (found: { type: string; description: string }) => {
    const { coordinate, affects } = locate(found.type, found.description, newSchema);
    return change(severity, found.type, coordinate, found.description, affects);
  };
  return [
    ...findBreakingChanges(oldSchema, newSchema).map(located('breaking')),
    ...findDangerousChanges(oldSchema, newSchema).map(located('dangerous')),
  ];
}
