import { GraphQLError } from 'graphql';
import { boundedMessage } from '#lib/client-text.js';

/* How the executor's errors are placed and worded: where they account for missing values, under the client's response names, with a code. */

/**
 * Whether a value missing at `path` is already accounted for: by an error at
 * that path, above it (a field that failed has no sub-fields) or below it (an
 * entity whose fetch failed at one of its fields), or by a failed fetch that
 * was to fill the object holding it.
 */
export function explainedBy(errors: readonly GraphQLError[], failed: ReadonlySet<object>) {
  return (path: readonly (string | number)[], holder: object): boolean => {
    if (failed.has(holder)) return true;
    for (const error of errors) {
      const at = error.path;
      if (!at) continue;
      const shorter = Math.min(at.length, path.length);
      let index = 0;
      while (index < shorter && at[index] === path[index]) index++;
      if (index === shorter) return true;
    }
    return false;
  };
}

/** An error whose path went through fields the gateway aliased, with the client's response names in its path. */
export function renamed(error: GraphQLError, renames: ReadonlyMap<string, string>): GraphQLError {
  if (!error.path?.some((step) => typeof step === 'string' && renames.has(step))) return error;
  const path = error.path.map((step) => (typeof step === 'string' ? (renames.get(step) ?? step) : step));
  return new GraphQLError(error.message, { path, ...(error.originalError ? { originalError: error.originalError } : {}), extensions: error.extensions });
}

/** A validation or variable error with its code, its message bounded: graphql-js quotes a client's whole value (a 1 MB variable, twice). */
export function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(boundedMessage(error.message), {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source && error.positions ? { source: error.source, positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    extensions: { ...error.extensions, code },
  });
}

