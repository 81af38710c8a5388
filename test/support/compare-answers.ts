import { isDeepStrictEqual } from 'node:util';
import type { ErrorShape, GatewayAnswer } from './executor-comparison.js';
import { shapeOf } from './executor-comparison.js';

/**
 * The comparison rule of the differential tests (test/gateway/executor/, test/conformance/):
 * Junction's answer against stock's, byte for byte.
 *
 * - the same HTTP status;
 * - `data` as the same JSON text (the order of keys counts);
 * - the same errors, in order, on message, path, locations and
 *   extensions.code/serviceName.
 *
 * Where Junction follows the GraphQL spec and stock does not: a value the
 * gateway cannot complete (null in a non-null position, an invalid leaf, an
 * unresolvable __typename) is an error at its path in Junction's `errors`;
 * stock puts it in `extensions.valueCompletion` when nothing else failed and
 * drops it otherwise. So the errors expected of Junction are stock's errors,
 * followed by stock's valueCompletion when stock had no other error; Junction
 * never sends `extensions.valueCompletion`; and when stock had other errors,
 * Junction may add completion errors of its own, each at a path where its
 * data holds null (there, or at an ancestor).
 *
 * `firstDifference` names the first way the answers differ, or nothing.
 */
const COMPLETION_MESSAGES = ['Cannot return null for non-nullable', 'Invalid value found for', 'Invalid __typename found for'];

export function expectedErrors(stock: GatewayAnswer): ErrorShape[] {
  const completion = Array.isArray(stock.valueCompletion) ? (stock.valueCompletion as Parameters<typeof shapeOf>[0][]).map(shapeOf) : [];
  return [...stock.errors, ...(stock.errors.length === 0 ? completion : [])];
}

export const isCompletionError = (error: ErrorShape) =>
  error.extensions.code === 'INVALID_GRAPHQL' && COMPLETION_MESSAGES.some((start) => error.message.startsWith(start));

/** Whether `data` holds null at `path` or at one of its ancestors. */
export function nullAtOrAbove(data: unknown, path: readonly (string | number)[] | undefined): boolean {
  if (!path) return false;
  let value = data;
  for (const key of path) {
    if (value === null) return true;
    if (typeof value !== 'object' || value === undefined) return false;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value === null;
}

export function firstDifference(junction: GatewayAnswer, stock: GatewayAnswer): string | undefined {
  if (junction.status !== stock.status) return `HTTP status: Junction ${junction.status}, stock ${stock.status}`;
  if (junction.extensions?.valueCompletion !== undefined) return 'Junction sent extensions.valueCompletion: completion errors belong in `errors`';
  if (junction.data !== stock.data) return `data: ${dataDifference(junction.data, stock.data)}`;

  const expected = expectedErrors(stock);
  const data = junction.data === undefined ? undefined : (JSON.parse(junction.data) as unknown);
  const extra = (error: ErrorShape) => stock.errors.length > 0 && isCompletionError(error) && nullAtOrAbove(data, error.path);
  const errors = junction.errors.filter((error) => !extra(error));
  for (let index = 0; index < Math.max(errors.length, expected.length); index += 1) {
    const ours = errors[index];
    const theirs = expected[index];
    if (isDeepStrictEqual(ours, theirs)) continue;
    if (!ours) return `errors[${index}]: Junction has no more errors; stock has ${JSON.stringify(theirs)}`;
    if (!theirs) return `errors[${index}]: Junction has ${JSON.stringify(ours)}; stock has no more errors`;
    return `errors[${index}]: Junction ${JSON.stringify(ours)}, stock ${JSON.stringify(theirs)}`;
  }
  return undefined;
}

/** Where two `data` texts first differ: a path, and both values (or both orders of keys) there. */
export function dataDifference(ours: string | undefined, theirs: string | undefined): string {
  if (ours === undefined || theirs === undefined) return `Junction ${ours === undefined ? 'has no data' : ours}, stock ${theirs === undefined ? 'has no data' : theirs}`;
  return walk(JSON.parse(ours) as unknown, JSON.parse(theirs) as unknown, []) ?? 'the same values, written differently';
}

function walk(ours: unknown, theirs: unknown, path: (string | number)[]): string | undefined {
  const at = path.length === 0 ? 'data' : path.join('.');
  const shown = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));
  if (Array.isArray(ours) && Array.isArray(theirs)) {
    for (let index = 0; index < Math.max(ours.length, theirs.length); index += 1) {
      const found = walk(ours[index], theirs[index], [...path, index]);
      if (found) return found;
    }
    return undefined;
  }
  if (isObject(ours) && isObject(theirs)) {
    const [mine, yours] = [Object.keys(ours), Object.keys(theirs)];
    for (const key of new Set([...mine, ...yours])) {
      const found = walk(ours[key], theirs[key], [...path, key]);
      if (found) return found;
    }
    if (mine.join() !== yours.join()) return `at ${at}, keys in another order: Junction ${mine.join(', ')}; stock ${yours.join(', ')}`;
    return undefined;
  }
  if (isDeepStrictEqual(ours, theirs)) return undefined;
  return `at ${at}: Junction ${shown(ours)}, stock ${shown(theirs)}`;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
