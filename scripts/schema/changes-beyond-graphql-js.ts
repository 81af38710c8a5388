import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedDirective,
  isSpecifiedScalarType,
  print,
  type GraphQLArgument,
  type GraphQLEnumValue,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { change, type SchemaChange } from './schema-change.js';

/**
 * What graphql-js's findBreakingChanges/findDangerousChanges leave out: the
 * safe changes (additions, safe type changes, descriptions), deprecations
 * added, removed or reworded, and an input field's default changing (dangerous,
 * like graphql-js's ARG_DEFAULT_VALUE_CHANGE for arguments).
 */
type Element = GraphQLNamedType | GraphQLField<unknown, unknown> | GraphQLArgument | GraphQLInputField | GraphQLEnumValue;

const own = (schema: GraphQLSchema) =>
  new Map(
    Object.values(schema.getTypeMap())
      .filter((type) => !isIntrospectionType(type) && !isSpecifiedScalarType(type))
      .map((type) => [type.name, type]),
  );

const reasonOf = (element: Element) => ('deprecationReason' in element ? (element.deprecationReason ?? undefined) : undefined);

/** Description and deprecation changes of an element present in both versions. */
function describedChanges(coordinate: string, before: Element, after: Element): SchemaChange[] {
  const changes: SchemaChange[] = [];
  if ((before.description ?? '') !== (after.description ?? '')) {
    changes.push(change('safe', 'DESCRIPTION_CHANGED', coordinate, `${coordinate}'s description changed.`));
  }
  const [was, is] = [reasonOf(before), reasonOf(after)];
  if (was === is) return changes;
  if (was === undefined) {
    changes.push(change('safe', 'DEPRECATION_ADDED', coordinate, `${coordinate} was deprecated: ${is}`));
  } else if (is === undefined) {
    changes.push(change('safe', 'DEPRECATION_REMOVED', coordinate, `${coordinate} is no longer deprecated.`));
  } else {
    changes.push(change('safe', 'DEPRECATION_REASON_CHANGED', coordinate, `${coordinate}'s deprecation reason is now: ${is}`));
  }
  return changes;
}

/** Argument or input field: a type change graphql-js did not call breaking is safe (e.g. `Int!` → `Int`). */
type InputValue = GraphQLArgument | GraphQLInputField;
type Field = GraphQLField<unknown, unknown>;

const typeChanged = (coordinate: string, before: InputValue | Field, after: InputValue | Field) =>
  `${coordinate} changed type from ${String(before.type)} to ${String(after.type)}.`;

function inputValueChanges(coordinate: string, before: InputValue, after: InputValue, reported: ReadonlySet<string>): SchemaChange[] {
  const changes = describedChanges(coordinate, before, after);
  if (String(before.type) !== String(after.type) && !reported.has(coordinate)) {
    changes.push(change('safe', 'INPUT_TYPE_CHANGED', coordinate, typeChanged(coordinate, before, after)));
  }
  return changes;
}

function fieldChanges(type: string, before: Field, after: Field, reported: ReadonlySet<string>): SchemaChange[] {
  const coordinate = `${type}.${after.name}`;
  const changes = describedChanges(coordinate, before, after);
  if (String(before.type) !== String(after.type) && !reported.has(coordinate)) {
    changes.push(change('safe', 'FIELD_TYPE_CHANGED', coordinate, typeChanged(coordinate, before, after)));
  }
  for (const argument of after.args) {
    const previous = before.args.find((candidate) => candidate.name === argument.name);
    if (previous) changes.push(...inputValueChanges(`${coordinate}(${argument.name}:)`, previous, argument, reported));
  }
  return changes;
}

function typeChanges(before: GraphQLNamedType, after: GraphQLNamedType, reported: ReadonlySet<string>): SchemaChange[] {
  const changes = describedChanges(after.name, before, after);
  if ((isObjectType(before) || isInterfaceType(before)) && (isObjectType(after) || isInterfaceType(after))) {
    const previous = before.getFields();
    for (const field of Object.values(after.getFields())) {
      const old = previous[field.name];
      const coordinate = `${after.name}.${field.name}`;
      if (old) changes.push(...fieldChanges(after.name, old, field, reported));
      else changes.push(change('safe', 'FIELD_ADDED', coordinate, `${coordinate} was added.`));
    }
  } else if (isInputObjectType(before) && isInputObjectType(after)) {
    const previous = before.getFields();
    for (const field of Object.values(after.getFields())) {
      const old = previous[field.name];
      if (!old) continue; // graphql-js reports input fields added
      const coordinate = `${after.name}.${field.name}`;
      changes.push(...inputValueChanges(coordinate, old, field, reported));
      const [was, is] = [old.astNode?.defaultValue, field.astNode?.defaultValue].map((value) => (value ? print(value) : undefined));
      if (was !== is) {
        const message = `${coordinate}'s default changed from ${was ?? '(none)'} to ${is ?? '(none)'}.`;
        changes.push(change('dangerous', 'INPUT_FIELD_DEFAULT_VALUE_CHANGE', coordinate, message, [after.name]));
      }
    }
  } else if (isEnumType(before) && isEnumType(after)) {
    for (const value of after.getValues()) {
      const old = before.getValue(value.name);
      if (old) changes.push(...describedChanges(`${after.name}.${value.name}`, old, value));
    }
  }
  return changes;
}

/** `reported`: the coordinates graphql-js already reported a change for, so a type change is not counted twice. */
export function findChangesBeyondGraphqlJs(
  oldSchema: GraphQLSchema,
  newSchema: GraphQLSchema,
  reported: ReadonlySet<string>,
): SchemaChange[] {
  const [before, after] = [own(oldSchema), own(newSchema)];
  const changes: SchemaChange[] = [];
  for (const [name, type] of after) {
    const old = before.get(name);
    if (!old) changes.push(change('safe', 'TYPE_ADDED', name, `${name} was added.`));
    else if (old.constructor === type.constructor) changes.push(...typeChanges(old, type, reported));
  }
  const directives = new Set(oldSchema.getDirectives().map((directive) => directive.name));
  for (const directive of newSchema.getDirectives()) {
    if (!isSpecifiedDirective(directive) && !directives.has(directive.name)) {
      changes.push(change('safe', 'DIRECTIVE_ADDED', `@${directive.name}`, `@${directive.name} was added.`));
    }
  }
  return changes;
}
