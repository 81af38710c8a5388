import { visit, type DocumentNode } from 'graphql';
import { closingQuote } from '#lib/client-text.js';

/*
 * What schema-hints.ts needs to know of graphql-js 16's messages: which
 * names a caller wrote, and the templates of the messages that name the
 * schema, each with its rewrite that drops what the caller did not write.
 */

/**
 * What a caller wrote: the types their document names (fragment conditions,
 * variable types), and every name in it. A type slot of a message keeps its
 * name only if the caller wrote it as a type: a guess written as a field or
 * an alias must not confirm a type's name.
 */
export type Written = { readonly types: ReadonlySet<string>; readonly names: ReadonlySet<string> };

export function writtenNames(document: DocumentNode | undefined): Written {
  const types = new Set<string>();
  const names = new Set<string>();
  if (document) {
    visit(document, {
      Name: (node) => void names.add(node.value),
      NamedType: (node) => void types.add(node.name.value),
    });
  }
  return { types, names };
}

/** Whether every double-quoted part of `text` is a name the caller wrote, as itself, `$name`, `@name`, a type (`[Name!]!`) or `Type.field`. */
export function quotesOnlyWritten(text: string, written: Written): boolean {
  for (let open = text.indexOf('"'); open !== -1; ) {
    const close = closingQuote(text, open + 1);
    if (close === -1) return false;
    if (!isWritten(text.slice(open + 1, close), written)) return false;
    open = text.indexOf('"', close + 1);
  }
  return true;
}

function isWritten(quoted: string, written: Written): boolean {
  const name = quoted.startsWith('$') || quoted.startsWith('@') ? quoted.slice(1) : quoted;
  const dot = name.indexOf('.');
  if (dot !== -1) return isType(name.slice(0, dot), written) && written.names.has(name.slice(dot + 1));
  return written.names.has(name) || isType(name, written);
}

/** Whether the caller wrote this type (`[Product!]!` is `Product`) as a type. */
function isType(type: string, written: Written): boolean {
  return written.types.has(namedType(type));
}

/** `[Product!]!` → `Product`. */
function namedType(type: string): string {
  let start = 0;
  let end = type.length;
  while (start < end && type[start] === '[') start++;
  while (end > start && (type[end - 1] === ']' || type[end - 1] === '!')) end--;
  return type.slice(start, end);
}

/**
 * The message rewritten by the template it matches, or undefined when it
 * matches none; `inner` words a nested message.
 */
export function byTemplate(text: string, written: Written, inner: (text: string) => string): string | undefined {
  for (const template of TEMPLATES) {
    const parts = match(text, template.pattern);
    if (parts) return template.rewrite(parts, written, inner);
  }
  return undefined;
}

/*
 * Templates: literal text, NAME (a quoted part without quotes inside: a
 * name, a type, `Type.field`) and REST (whatever is left, at the end only).
 * They match the whole message; the rewrite gets the captured parts.
 */
const NAME = Symbol('name');
const REST = Symbol('rest');
type Part = string | typeof NAME | typeof REST;
/** `inner` words a message nested in this one (coercion's `Expected type "T". <the scalar's or enum's>`) by the same rules. */
type Template = { pattern: readonly Part[]; rewrite(parts: string[], written: Written, inner: (text: string) => string): string };

function match(text: string, pattern: readonly Part[]): string[] | undefined {
  const parts: string[] = [];
  let at = 0;
  for (const part of pattern) {
    if (part === REST) {
      parts.push(text.slice(at));
      at = text.length;
    } else if (part === NAME) {
      if (text[at] !== '"') return undefined;
      const close = text.indexOf('"', at + 1);
      if (close === -1) return undefined;
      parts.push(text.slice(at + 1, close));
      at = close + 1;
    } else {
      if (!text.startsWith(part, at)) return undefined;
      at += part.length;
    }
  }
  return at === text.length ? parts : undefined;
}

/** `"Type"` when the caller wrote it, `otherwise` when not. */
const typeOr = (type: string, written: Written, quoted: (type: string) => string, otherwise: string) =>
  isType(type, written) ? quoted(type) : otherwise;

/** `T.f` → `f`, unless the caller wrote `T` too. */
const fieldOf = (coordinate: string, written: Written) => {
  const dot = coordinate.indexOf('.');
  return dot === -1 || isType(coordinate.slice(0, dot), written) ? coordinate : coordinate.slice(dot + 1);
};

/** graphql-js 16's built-in scalars' coercion messages start with the scalar's name. */
const SCALAR_MESSAGES = ['Int', 'Float', 'String', 'Boolean', 'ID'].map((scalar): Template => ({
  pattern: [`${scalar} cannot represent `, REST],
  rewrite: ([rest], written) => {
    if (written.types.has(scalar)) return `${scalar} cannot represent ${rest}`;
    const value = rest!.indexOf(': ');
    return value === -1 ? 'Expected a value of another type.' : `Expected a value of another type, found ${rest!.slice(value + 2)}.`;
  },
}));

const TEMPLATES: readonly Template[] = [
  // FieldsOnCorrectTypeRule
  {
    pattern: ['Cannot query field ', NAME, ' on type ', NAME, '.'],
    rewrite: ([field, type], written) => `Cannot query field "${field}"${typeOr(type!, written, (t) => ` on type "${t}"`, ' here')}.`,
  },
  // KnownArgumentNamesRule
  {
    pattern: ['Unknown argument ', NAME, ' on field ', NAME, '.'],
    rewrite: ([argument, field], written) => `Unknown argument "${argument}" on field "${fieldOf(field!, written)}".`,
  },
  // ScalarLeafsRule
  {
    pattern: ['Field ', NAME, ' must not have a selection since type ', NAME, ' has no subfields.'],
    rewrite: ([field, type], written) =>
      `Field "${field}" must not have a selection since ${typeOr(type!, written, (t) => `type "${t}"`, 'its type')} has no subfields.`,
  },
  {
    pattern: ['Field ', NAME, ' of type ', NAME, ' must have a selection of subfields.'],
    rewrite: ([field, type], written) => `Field "${field}"${typeOr(type!, written, (t) => ` of type "${t}"`, '')} must have a selection of subfields.`,
  },
  {
    pattern: ['Field ', NAME, ' of type ', NAME, ' must have at least one field selected.'],
    rewrite: ([field, type], written) => `Field "${field}"${typeOr(type!, written, (t) => ` of type "${t}"`, '')} must have at least one field selected.`,
  },
  // ProvidedRequiredArgumentsRule: the argument was not written, so it is not named.
  {
    pattern: ['Field ', NAME, ' argument ', NAME, ' of type ', NAME, ' is required, but it was not provided.'],
    rewrite: ([field]) => `Field "${field}" is missing a required argument.`,
  },
  {
    pattern: ['Directive ', NAME, ' argument ', NAME, ' of type ', NAME, ' is required, but it was not provided.'],
    rewrite: ([directive]) => `Directive "${directive}" is missing a required argument.`,
  },
  // ValuesOfCorrectTypeRule (literals) and coerceInputValue (variables): input objects.
  {
    pattern: ['Field ', NAME, ' of required type ', NAME, ' was not provided.'],
    rewrite: () => 'A required input field was not provided.',
  },
  {
    pattern: ['Field ', NAME, ' is not defined by type ', NAME, '.'],
    rewrite: ([field, type], written) => `Field "${field}" is not defined by ${typeOr(type!, written, (t) => `type "${t}"`, 'the input type')}.`,
  },
  {
    pattern: ['OneOf Input Object ', NAME, ' must specify exactly one key.'],
    rewrite: ([type], written) => `${typeOr(type!, written, (t) => `OneOf Input Object "${t}"`, 'The OneOf input object')} must specify exactly one key.`,
  },
  {
    pattern: ['Exactly one key must be specified for OneOf type ', NAME, '.'],
    rewrite: ([type], written) => `Exactly one key must be specified for ${typeOr(type!, written, (t) => `OneOf type "${t}"`, 'this OneOf input')}.`,
  },
  {
    pattern: ['Field ', NAME, ' must be non-null.'],
    rewrite: ([field], written) => `Field "${fieldOf(field!, written)}" must be non-null.`,
  },
  // ValuesOfCorrectTypeRule: a literal of the wrong type; what it found is the caller's.
  {
    pattern: ['Expected value of type ', NAME, ', found ', REST],
    rewrite: ([type, found], written) => {
      if (isType(type!, written)) return `Expected value of type "${type}", found ${found}`;
      return type!.endsWith('!') && found === 'null.' ? 'Expected a non-null value, found null.' : `Expected a value of another type, found ${found}`;
    },
  },
  // coerceInputValue (variables).
  {
    pattern: ['Expected non-nullable type ', NAME, ' not to be null.'],
    rewrite: ([type], written) => typeOr(type!, written, (t) => `Expected non-nullable type "${t}" not to be null.`, 'Expected a non-null value.'),
  },
  {
    pattern: ['Expected type ', NAME, ' to be an object.'],
    rewrite: ([type], written) => typeOr(type!, written, (t) => `Expected type "${t}" to be an object.`, 'Expected an object.'),
  },
  {
    pattern: ['Expected type ', NAME, '. ', REST],
    rewrite: ([type, nested], written, inner) =>
      `${typeOr(type!, written, (t) => `Expected type "${t}".`, 'Expected a value of another type.')} ${inner(nested!)}`,
  },
  {
    pattern: ['Expected type ', NAME, '.'],
    rewrite: ([type], written) => typeOr(type!, written, (t) => `Expected type "${t}".`, 'Expected a value of another type.'),
  },
  // Enums (GraphQLEnumType's parseLiteral and parseValue).
  {
    pattern: ['Value ', NAME, ' does not exist in ', NAME, ' enum.'],
    rewrite: ([value, type], written) => `Value "${value}" does not exist in ${typeOr(type!, written, (t) => `"${t}" enum`, 'this enum')}.`,
  },
  {
    pattern: ['Enum ', NAME, ' cannot represent ', REST],
    rewrite: ([type, rest], written) => `${typeOr(type!, written, (t) => `Enum "${t}"`, 'This enum')} cannot represent ${rest}`,
  },
  ...SCALAR_MESSAGES,
  // VariablesInAllowedPositionRule: the variable's type is the caller's, the position's is the schema's.
  {
    pattern: ['Variable ', NAME, ' of type ', NAME, ' used in position expecting type ', NAME, '.'],
    rewrite: ([variable, type, expected], written) =>
      `Variable "${variable}" of type "${type}" used in position expecting ${typeOr(expected!, written, (t) => `type "${t}"`, 'another type')}.`,
  },
  {
    pattern: ['Variable ', NAME, ' is of type ', NAME, ' but must be non-nullable to be used for OneOf Input Object ', NAME, '.'],
    rewrite: ([variable, type, object], written) =>
      `Variable "${variable}" is of type "${type}" but must be non-nullable to be used for ${typeOr(object!, written, (t) => `OneOf Input Object "${t}"`, 'a OneOf input object')}.`,
  },
  // PossibleFragmentSpreadsRule: the fragment's type is the caller's, the place's may not be.
  {
    pattern: ['Fragment cannot be spread here as objects of type ', NAME, ' can never be of type ', NAME, '.'],
    rewrite: ([parent, fragment], written) =>
      `Fragment cannot be spread here as ${typeOr(parent!, written, (t) => `objects of type "${t}"`, 'the objects here')} can never be of type "${fragment}".`,
  },
  {
    pattern: ['Fragment ', NAME, ' cannot be spread here as objects of type ', NAME, ' can never be of type ', NAME, '.'],
    rewrite: ([name, parent, fragment], written) =>
      `Fragment "${name}" cannot be spread here as ${typeOr(parent!, written, (t) => `objects of type "${t}"`, 'the objects here')} can never be of type "${fragment}".`,
  },
  // OverlappingFieldsCanBeMergedRule: the reason may say which types two fields return.
  {
    pattern: ['Fields ', NAME, ' conflict because ', REST],
    rewrite: ([field, rest], written) => {
      const message = `Fields "${field}" conflict because ${withoutConflictingTypes(rest!)}`;
      return quotesOnlyWritten(message, written) ? message : `Fields "${field}" conflict. Use different aliases on the fields to fetch both if this was intentional.`;
    },
  },
];

/** `they return conflicting types "String" and "Int"` → `they return conflicting types`, everywhere in a reason. */
function withoutConflictingTypes(reason: string): string {
  const phrase = 'they return conflicting types ';
  let result = '';
  let copied = 0;
  for (let at = reason.indexOf(phrase); at !== -1; at = reason.indexOf(phrase, copied)) {
    const first = closingQuote(reason, at + phrase.length + 1);
    const and = '" and "';
    if (reason[at + phrase.length] !== '"' || first === -1 || !reason.startsWith(and, first)) break;
    const second = closingQuote(reason, first + and.length);
    if (second === -1) break;
    result += reason.slice(copied, at + phrase.length - 1);
    copied = second + 1;
  }
  return result + reason.slice(copied);
}
