import type { FetchNode } from '@apollo/query-planner';
import { GraphQLError, Kind, parse, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '#lib/errors.js';
import { outputRenames } from './plan-conflicts.js';

/**
 * The errors of one subgraph fetch, as the client sees them: at their place
 * in the client's response, naming the subgraph, and never more than
 * MAX_ERRORS_PER_FETCH of them. A subgraph is not trusted to send sane
 * errors: a message that is not text, a path that is not one, extensions
 * nested deeper than any answer needs, or a hundred thousand errors would
 * otherwise cost every other client event-loop time, or the response its
 * JSON (JSON.stringify overflows on deep nesting).
 */
export const MAX_ERRORS_PER_FETCH = 100;

/** Extensions deeper than this are cut: the part below becomes null. */
const MAX_EXTENSIONS_DEPTH = 16;

export type ReportedErrors = {
  errors: GraphQLError[];
  /** Whether some error has no place in the response: what is missing from the fetch's objects is then accounted for by it. */
  unplaced: boolean;
};

export function subgraphErrors(
  received: readonly GraphQLFormattedError[] | undefined,
  serviceName: string,
  /** Where an error belongs: one path per place in the response (an entity shared by several has several); undefined for none. */
  pathOf: (path: readonly (string | number)[] | undefined) => ((string | number)[] | undefined)[],
  /** Steps of a subgraph's path the fetch's output rewrites rename (an alias the planner gave a field, to the field's response name). */
  renames?: ReadonlyMap<string, string>,
): ReportedErrors {
  const reported: ReportedErrors = { errors: [], unplaced: false };
  if (!received) return reported;
  let dropped = 0;
  for (let index = 0; index < received.length; index++) {
    if (reported.errors.length >= MAX_ERRORS_PER_FETCH) {
      // The rest are counted, not read; what they would have explained is taken as explained.
      dropped += received.length - index;
      reported.unplaced = true;
      break;
    }
    const error = received[index]!;
    const given = pathIn(error.path);
    const subgraphPath = given && renames ? given.map((step) => (typeof step === 'string' ? (renames.get(step) ?? step) : step)) : given;
    if (!subgraphPath) reported.unplaced = true;
    const message = typeof error.message === 'string' && error.message ? error.message : `Error while fetching subquery from service "${serviceName}"`;
    const own = isObject(error.extensions) ? (bounded(error.extensions, 1) as Record<string, unknown>) : {};
    // As @apollo/gateway does: a subgraph error without a code is the subgraph's failure.
    const extensions = { ...own, code: own.code ?? ErrorCode.DOWNSTREAM_SERVICE_ERROR, serviceName };
    for (const path of pathOf(subgraphPath)) {
      if (!path) reported.unplaced = true;
      if (reported.errors.length < MAX_ERRORS_PER_FETCH) reported.errors.push(new GraphQLError(message, { ...(path ? { path } : {}), extensions }));
      else dropped++;
    }
  }
  if (dropped > 0) reported.errors.push(more(serviceName, dropped));
  return reported;
}

/** The same error at each of `paths`, at most MAX_ERRORS_PER_FETCH of them and one that counts the rest. */
export function errorsAt(message: string, serviceName: string, paths: readonly (string | number)[][], code: string = ErrorCode.DOWNSTREAM_SERVICE_ERROR): GraphQLError[] {
  const extensions = { code, serviceName };
  const errors = paths.slice(0, MAX_ERRORS_PER_FETCH).map((path) => new GraphQLError(message, { path, extensions }));
  if (paths.length > MAX_ERRORS_PER_FETCH) errors.push(more(serviceName, paths.length - MAX_ERRORS_PER_FETCH));
  return errors;
}

/** A subgraph that answered neither data nor errors has failed every field it was asked for. */
export function noDataErrors(serviceName: string, paths: readonly (string | number)[][]): GraphQLError[] {
  return errorsAt(`The ${serviceName} subgraph answered no data and no errors.`, serviceName, paths);
}

function more(serviceName: string, count: number): GraphQLError {
  return new GraphQLError(`The ${serviceName} subgraph reported ${count} more errors, not shown.`, {
    extensions: { code: ErrorCode.DOWNSTREAM_SERVICE_ERROR, serviceName },
  });
}

const fetchRenames = new WeakMap<FetchNode, ReadonlyMap<string, string> | undefined>();

/**
 * The response names a fetch's output rewrites give back (the planner's
 * `id__alias_0`, renamed `id` once fetched): a subgraph error's path uses the
 * alias, the client's response has the name. Read once per fetch.
 */
export function renamesOf(fetch: FetchNode): ReadonlyMap<string, string> | undefined {
  if (!fetch.outputRewrites) return undefined;
  if (fetchRenames.has(fetch)) return fetchRenames.get(fetch);
  const renames = outputRenames(fetch.outputRewrites);
  fetchRenames.set(fetch, renames);
  return renames;
}

/**
 * One representation stands for every entity with its key, so an error about
 * it is placed at each of their places, one after the other. Stock sends one
 * representation per place and gets the subgraph's errors place by place:
 * where the subgraph answered in the order of its representations (as
 * graphql-js does for synchronous fields), the placed errors are put in the
 * order of their places, each place's errors in the subgraph's order.
 */
export function inPlaceOrder(errors: GraphQLError[], received: readonly { path?: unknown }[] | undefined, placeLength: number): void {
  if (!received || errors.length <= received.length) return;
  let last = -1;
  for (const error of received) {
    const path = error.path;
    const index = Array.isArray(path) && path[0] === '_entities' ? path[1] : undefined;
    if (typeof index !== 'number' || index < last) return;
    last = index;
  }
  if (!errors.every((error) => error.path && error.path.length >= placeLength)) return;
  const compare = (a: readonly (string | number)[], b: readonly (string | number)[]) => {
    for (let step = 0; step < placeLength; step++) {
      const [x, y] = [a[step]!, b[step]!];
      if (x !== y) return typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : 1;
    }
    return 0;
  };
  errors.sort((a, b) => compare(a.path!, b.path!));
}

const rootFields = new WeakMap<FetchNode, string[]>();

/** The response names a fetch without `requires` asks for at its root, read once from its operation. */
export function rootFieldsOf(fetch: FetchNode): string[] {
  let names = rootFields.get(fetch);
  if (!names) {
    names = [];
    const operation = parse(fetch.operation).definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    for (const selection of operation?.selectionSet.selections ?? []) {
      if (selection.kind === Kind.FIELD && selection.name.value !== '__typename') names.push(selection.alias?.value ?? selection.name.value);
    }
    rootFields.set(fetch, names);
  }
  return names;
}

function pathIn(path: unknown): (string | number)[] | undefined {
  if (!Array.isArray(path) || path.length > 1_000) return undefined;
  return path.every((step) => typeof step === 'string' || (typeof step === 'number' && Number.isInteger(step))) ? (path as (string | number)[]) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON value copied to at most MAX_EXTENSIONS_DEPTH levels; below that, null. */
function bounded(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_EXTENSIONS_DEPTH) return null;
  if (Array.isArray(value)) return value.map((element) => bounded(element, depth + 1));
  const copy: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) copy[key] = bounded((value as Record<string, unknown>)[key], depth + 1);
  return copy;
}
