import { GraphQLBoolean, GraphQLFloat, GraphQLID, GraphQLInt, GraphQLString, isEnumType, type GraphQLLeafType } from 'graphql';

/**
 * How a leaf value from a subgraph is written into the client's answer, as
 * graphql-js completes it against the API schema: built-in scalars through
 * their `serialize` (an `Int` out of range, a fraction, an object for a
 * `String`… cannot be written), enum values only when the API schema has them
 * (an `@inaccessible` value never reaches a client), custom scalars as the
 * JSON they are. Each field's check is chosen once, when the operation's
 * shape is compiled (`leafOf`); writing a value is then one switch.
 */
export type Leaf = {
  kind: LeafKind;
  type: GraphQLLeafType;
  /** For enums: the values the API schema has. */
  values?: ReadonlySet<string>;
};

type LeafKind = 'String' | 'ID' | 'Int' | 'Float' | 'Boolean' | 'Enum' | 'Custom';

export function leafOf(type: GraphQLLeafType): Leaf {
  if (isEnumType(type)) return { kind: 'Enum', type, values: new Set(type.getValues().map((value) => value.name)) };
  switch (type.name) {
    case GraphQLString.name:
    case GraphQLID.name:
    case GraphQLInt.name:
    case GraphQLFloat.name:
    case GraphQLBoolean.name:
      return { kind: type.name as LeafKind, type };
    default:
      return { kind: 'Custom', type };
  }
}

/** What JSON.stringify escapes: quotes, backslashes, control characters, and surrogates (lone ones become \u escapes). */
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * The JSON text of a non-null leaf value, or undefined when graphql-js could
 * not complete it (the field is then null, with an error). `escapes` false
 * says no string in the answer needs escaping (see NO_ESCAPES).
 */
export function leafText(leaf: Leaf, value: unknown, escapes: boolean): string | undefined {
  // The values well-behaved subgraphs send, written without a call.
  switch (leaf.kind) {
    case 'String':
    case 'ID':
      if (typeof value === 'string') return quoted(value, escapes);
      break;
    case 'Int':
      if (typeof value === 'number' && (value | 0) === value) return String(value);
      break;
    case 'Float':
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      break;
    case 'Boolean':
      if (typeof value === 'boolean') return value ? 'true' : 'false';
      break;
    case 'Enum':
      // Enum value names are GraphQL names: nothing in them needs escaping.
      return typeof value === 'string' && leaf.values!.has(value) ? `"${value}"` : undefined;
    case 'Custom':
      return jsonText(value);
  }
  return serialized(leaf, value);
}

/** A string as JSON text: as it is when nothing in the answer needed escaping, else escaped where needed. */
function quoted(value: string, escapes: boolean): string {
  return !escapes || !NEEDS_ESCAPING.test(value) ? `"${value}"` : JSON.stringify(value);
}

/**
 * graphql-js's own serialization, for what the fast path did not take:
 * booleans and numeric strings for numbers, numbers for strings and IDs, and
 * the values it refuses.
 */
function serialized(leaf: Leaf, value: unknown): string | undefined {
  if (typeof value === 'object') return undefined; // Objects and lists are no built-in scalar; nothing to call.
  let result: unknown;
  try {
    result = leaf.type.serialize(value);
  } catch {
    return undefined;
  }
  return result === null || result === undefined ? undefined : jsonText(result);
}

/**
 * Any JSON value as text, or undefined when it is nested too deeply to
 * write (a subgraph's answer may be; JSON.stringify would overflow the stack).
 */
function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
