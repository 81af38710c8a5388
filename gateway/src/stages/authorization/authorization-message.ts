import type { Requirement, ScopeAlternatives } from './authorization-policy.js';

/**
 * What Apollo Router and the federation docs say for a field taken out by
 * @authenticated or @requiresScopes. Every message starts with it, so a
 * client that matches on it (with `startsWith`) keeps working; the rest says
 * what the caller lacks.
 */
export const UNAUTHORIZED_MESSAGE = 'Unauthorized field or type';

/**
 * The message of the error at a field whose `requirement` the caller does not
 * meet: which scopes it needs (only the clauses the caller's `scopes` miss),
 * and, for an anonymous caller, that signing in is needed first:
 * - `Unauthorized field or type: needs the "read:email" scope.`
 * - `Unauthorized field or type: needs the scopes "a" and "b", or the "c" scope.`
 * - `Unauthorized field or type: needs signing in with the "audit" scope.`
 * - `Unauthorized field or type: needs signing in.`
 * Scope names come from the supergraph, never from the caller.
 */
export function unauthorizedMessage(requirement: Requirement, authenticated: boolean, scopes: ReadonlySet<string>): string {
  const missing = authenticated
    ? requirement.scopes.filter((alternatives) => !alternatives.some((all) => all.every((scope) => scopes.has(scope))))
    : requirement.scopes;
  const phrases = missing.map(clause);
  // Clauses all required: "and" between them, set apart by semicolons when a clause has its own commas.
  const scopesNeeded = phrases.join(phrases.some((phrase) => phrase.includes(',')) ? '; and ' : ' and ');
  if (!authenticated) return `${UNAUTHORIZED_MESSAGE}: needs signing in${scopesNeeded ? ` with ${scopesNeeded}` : ''}.`;
  // An authenticated caller is only refused for scopes; the fallback is for a requirement it meets after all.
  return `${UNAUTHORIZED_MESSAGE}: needs ${scopesNeeded || 'more than this caller has'}.`;
}

/** One `@requiresScopes` clause: any one of its alternatives, each needing all of its scopes. */
function clause(alternatives: ScopeAlternatives): string {
  if (alternatives.every((all) => all.length === 1)) {
    return `the ${list(alternatives.map((all) => quoted(all[0]!)), 'or')} scope`;
  }
  return alternatives
    .map((all) => (all.length === 1 ? `the ${quoted(all[0]!)} scope` : `the scopes ${list(all.map(quoted), 'and')}`))
    .join(', or ');
}

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`. */
function list(items: readonly string[], conjunction: 'and' | 'or'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;
}

function quoted(scope: string): string {
  return JSON.stringify(scope);
}
