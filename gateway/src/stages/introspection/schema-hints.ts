import type { GraphQLFormattedError } from 'graphql';
import { closingQuote } from '#lib/client-text.js';
import { byTemplate, quotesOnlyWritten, type Written } from './message-templates.js';

/*
 * graphql-js's validation and variable messages name what the schema holds:
 * `Did you mean "price"?`, `Cannot query field "x" on type "Product".`,
 * `Field "filter" argument "first" of type "Int!" is required`. A caller who
 * may not introspect could read the schema out of them one guess at a time,
 * so for such a caller every message is rewritten to quote only names their
 * document wrote (and their own values):
 *
 * 1. "Did you mean …?" suggestions are cut.
 * 2. The templates of graphql-js 16 that name a type, field, argument or enum
 *    value of the schema (message-templates.ts) drop that name, unless the caller
 *    wrote it; a required argument or input field the caller left out is not
 *    named at all ("is missing a required argument").
 * 3. Any other message is kept only if every quoted part in it is a name the
 *    caller wrote; otherwise it becomes GENERIC.
 *
 * Only errors coded GRAPHQL_VALIDATION_FAILED, and BAD_USER_INPUT ones for a
 * variable (`Variable "$…`), are rewritten: those of an operation that never
 * ran. Each rewrite is a few passes over a message the executor bounded
 * (lib/client-text.ts), with no pattern.
 */

export { writtenNames, type Written } from './message-templates.js';

export const GENERIC = 'The operation is not valid against the schema.';

/** `errors` as a caller who may not introspect sees them; the same array when nothing changed. */
export function withoutSchemaHints(
  errors: readonly GraphQLFormattedError[],
  written: () => Written,
): readonly GraphQLFormattedError[] {
  let names: Written | undefined;
  let rewritten: GraphQLFormattedError[] | undefined;
  for (const [index, error] of errors.entries()) {
    if (!isRequestError(error)) continue;
    names ??= written();
    const message = withoutHints(error.message, names);
    if (message === error.message) continue;
    rewritten ??= [...errors];
    rewritten[index] = { ...error, message };
  }
  return rewritten ?? errors;
}

function isRequestError(error: GraphQLFormattedError): boolean {
  const code = error.extensions?.code;
  return code === 'GRAPHQL_VALIDATION_FAILED' || (code === 'BAD_USER_INPUT' && error.message.startsWith('Variable "$'));
}

/** One message, rewritten by the rules above. */
export function withoutHints(message: string, written: Written): string {
  const text = withoutSuggestions(message);
  const variable = variableValueError(text);
  if (variable) {
    const inner = rewrite(variable.inner, written);
    return inner === undefined ? `${variable.prefix}; ${GENERIC}` : `${variable.prefix}; ${inner}`;
  }
  return rewrite(text, written) ?? GENERIC;
}

/** A message rewritten by its template, or kept when it quotes only written names; undefined when it must go. */
function rewrite(text: string, written: Written): string | undefined {
  const rewritten = byTemplate(text, written, (inner) => rewrite(inner, written) ?? GENERIC);
  if (rewritten !== undefined) return rewritten;
  return quotesOnlyWritten(text, written) ? text : undefined;
}

/** graphql-js ends a message with its suggestions: ` Did you mean "a" or "b"?`, ` Did you mean the enum value "A"?`. */
function withoutSuggestions(message: string): string {
  if (!message.endsWith('?')) return message;
  const at = message.lastIndexOf(' Did you mean ');
  return at === -1 ? message : message.slice(0, at);
}

/**
 * `Variable "$v" got invalid value <value>[ at "<path>"]; <inner>`: the
 * prefix quotes only the caller's variable, value and path, and stays; the
 * inner message is coercion's, which may name the schema. The value may hold
 * quoted strings with `; ` in them, so the separator is the first `; `
 * outside quotes.
 */
function variableValueError(text: string): { prefix: string; inner: string } | undefined {
  const start = 'Variable "$';
  if (!text.startsWith(start)) return undefined;
  const nameEnd = text.indexOf('"', start.length);
  const got = '" got invalid value ';
  if (nameEnd === -1 || !text.startsWith(got, nameEnd)) return undefined;
  for (let index = nameEnd + got.length; index < text.length; index++) {
    const char = text[index];
    if (char === '"') index = closingQuote(text, index + 1);
    else if (char === ';' && text[index + 1] === ' ') return { prefix: text.slice(0, index), inner: text.slice(index + 2) };
    if (index === -1) return undefined;
  }
  return undefined;
}

