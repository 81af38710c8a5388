import {
  getOperationAST,
  Kind,
  parse,
  print,
  valueFromASTUntyped,
  visit,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
  type GraphQLSchema,
  type SelectionNode,
} from 'graphql';
import { firstDifference, nullAtOrAbove } from '../support/compare-answers.js';
import type { GatewayAnswer, Operation } from '../support/executor-comparison.js';

/**
 * The pieces known-differences.ts judges with: operations rewritten for
 * stock (aliases renamed, conditions applied), stock's answers read back, and
 * the checks that accept Junction's answer where it rightly differs.
 */

/** What an alias becomes for stock, then is read back from. */
export const CLIENT = '__client';

/** The same answers but for the order of the errors. */
export function sameButErrorOrder(junction: GatewayAnswer, stock: GatewayAnswer): boolean {
  if (junction.errors.length !== stock.errors.length || junction.errors.length < 2) return false;
  const sorted = (answer: GatewayAnswer) => answer.errors.map((error) => JSON.stringify(error)).sort();
  return firstDifference({ ...junction, errors: stock.errors }, stock) === undefined && sorted(junction).join() === sorted(stock).join();
}

/** The answer with every response name `a__client` read as `a`: in `data` (keeping the order of keys) and in error paths. */
export function renamedBack(answer: GatewayAnswer): GatewayAnswer {
  // Stock's completion messages name the field by its response name (`Author.a__client`): read back too.
  return renamedKeys(answer, (key) => (key.endsWith(CLIENT) ? key.slice(0, -CLIENT.length) : key), (message) => message.replaceAll(CLIENT, ''));
}

/** The answer with the response name `from` read as `to`: in `data` (keeping the order of keys) and in error paths. */
export function renamed(answer: GatewayAnswer, from: string, to: string): GatewayAnswer {
  return renamedKeys(answer, (key) => (key === from ? to : key));
}

/** The answer with each response name read through `name`: in `data` (keeping the order of keys), in error paths, and (`message`) in error messages. */
function renamedKeys(answer: GatewayAnswer, name: (key: string) => string, message: (text: string) => string = (text) => text): GatewayAnswer {
  const rename = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rename);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [name(key), rename(item)]));
  };
  const errors = (list: unknown) =>
    Array.isArray(list)
      ? list.map((error: { message: string; path?: (string | number)[] }) => ({
          ...error,
          message: message(error.message),
          ...(error.path ? { path: error.path.map((step) => (typeof step === 'string' ? name(step) : step)) } : {}),
        }))
      : list;
  return {
    ...answer,
    data: answer.data === undefined ? undefined : JSON.stringify(rename(JSON.parse(answer.data))),
    errors: errors(answer.errors) as GatewayAnswer['errors'],
    valueCompletion: errors(answer.valueCompletion),
  };
}

/** No data, and errors that all have a code other than INTERNAL_SERVER_ERROR: the operation refused, saying why. */
export function refusal(junction: GatewayAnswer): boolean {
  return (
    (junction.data === undefined || junction.data === 'null') &&
    junction.errors.length > 0 &&
    junction.errors.every((error) => typeof error.extensions.code === 'string' && error.extensions.code !== 'INTERNAL_SERVER_ERROR')
  );
}

/**
 * The operation with @skip/@include of fragments directly on the root type
 * applied, when one of them holds `__schema` or `__type`: unchanged otherwise.
 */
export function conditionsOfRootFragmentsApplied(operation: Operation): Operation {
  const document = parse(operation.query);
  const definition = getOperationAST(document, operation.operationName);
  if (!definition) return operation;
  const fragments = new Map(document.definitions.flatMap((node) => (node.kind === Kind.FRAGMENT_DEFINITION ? [[node.name.value, node] as const] : [])));
  const values: Record<string, unknown> = { ...operation.variables };
  for (const variable of definition.variableDefinitions ?? []) {
    const name = variable.variable.name.value;
    if (values[name] === undefined && variable.defaultValue) values[name] = valueFromASTUntyped(variable.defaultValue);
  }
  const included = (node: { directives?: readonly DirectiveNode[] | undefined }) =>
    (node.directives ?? []).every((directive) => {
      const argument = directive.arguments?.find((candidate) => candidate.name.value === 'if');
      if (!argument || (directive.name.value !== 'skip' && directive.name.value !== 'include')) return true;
      const value = valueFromASTUntyped(argument.value, values) === true;
      return directive.name.value === 'skip' ? !value : value;
    });
  const conditioned = (node: { directives?: readonly DirectiveNode[] | undefined }) =>
    (node.directives ?? []).some((directive) => directive.name.value === 'skip' || directive.name.value === 'include');
  const unconditioned = <T extends { directives?: readonly DirectiveNode[] | undefined }>(node: T): T => ({
    ...node,
    directives: (node.directives ?? []).filter((directive) => directive.name.value !== 'skip' && directive.name.value !== 'include'),
  });
  const introspects = (selections: readonly SelectionNode[], seen: Set<string>): boolean =>
    selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === '__schema' || selection.name.value === '__type';
      if (selection.kind === Kind.INLINE_FRAGMENT) return introspects(selection.selectionSet.selections, seen);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return false;
      return introspects(fragment.selectionSet.selections, new Set([...seen, fragment.name.value]));
    });
  // A selection set left empty selects nothing in the answer.
  const nothing: SelectionNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' }, directives: [skipped()] };
  const orNothing = (selections: SelectionNode[]) => (selections.length > 0 ? selections : [nothing]);
  let changed = false;
  const root = definition.operation === 'query' ? 'Query' : definition.operation === 'mutation' ? 'Mutation' : 'Subscription';
  const apply = (selections: readonly SelectionNode[]): SelectionNode[] =>
    selections.flatMap((selection): SelectionNode[] => {
      if (selection.kind === Kind.FIELD) return [selection];
      const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet.selections : (fragments.get(selection.name.value)?.selectionSet.selections ?? []);
      if (!conditioned(selection) || !introspects(inner, new Set())) {
        return selection.kind === Kind.INLINE_FRAGMENT ? [{ ...selection, selectionSet: { ...selection.selectionSet, selections: orNothing(apply(inner)) } }] : [selection];
      }
      changed = true;
      if (!included(selection)) return [];
      if (selection.kind === Kind.FRAGMENT_SPREAD) return [unconditioned(selection)];
      return [{ ...unconditioned(selection), selectionSet: { ...selection.selectionSet, selections: orNothing(apply(inner)) } }];
    });
  const rewrittenOperation = { ...definition, selectionSet: { ...definition.selectionSet, selections: orNothing(apply(definition.selectionSet.selections)) } };
  const rewritten = document.definitions.map((node) => {
    if (node === definition) return rewrittenOperation;
    // Fragments on the root type are spread at the root (no shape has a field of a root type).
    if (node.kind === Kind.FRAGMENT_DEFINITION && node.typeCondition.name.value === root) {
      return { ...node, selectionSet: { ...node.selectionSet, selections: orNothing(apply(node.selectionSet.selections)) } };
    }
    return node;
  });
  if (!changed) return operation;
  // Fragments and variables only the dropped selections used would make the operation invalid.
  const reachable = new Set<DefinitionNode>([rewrittenOperation]);
  const used = new Set<string>();
  for (const node of reachable) {
    visit(node === rewrittenOperation ? { ...rewrittenOperation, variableDefinitions: [] } : node, {
      Variable: (variable) => void used.add(variable.name.value),
      FragmentSpread: (spread) => {
        const fragment = rewritten.find((each) => each.kind === Kind.FRAGMENT_DEFINITION && each.name.value === spread.name.value);
        if (fragment) reachable.add(fragment);
      },
    });
  }
  const kept = { ...rewrittenOperation, variableDefinitions: (definition.variableDefinitions ?? []).filter((variable) => used.has(variable.variable.name.value)) };
  const definitions = rewritten.filter((node) => reachable.has(node) || node.kind === Kind.OPERATION_DEFINITION).map((node) => (node === rewrittenOperation ? kept : node));
  return { ...operation, query: print({ ...document, definitions }) };
}

function skipped(): DirectiveNode {
  return { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: 'skip' }, arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'if' }, value: { kind: Kind.BOOLEAN, value: true } }] };
}

/**
 * Junction's answer when stock nulled a value without any error: the same data
 * and status, stock's errors, and completion errors of Junction's own (at least
 * one), each where Junction's data is null.
 */
export function completionErrorsStockDropped(junction: GatewayAnswer, stock: GatewayAnswer): string | undefined {
  if (stock.errors.length > 0 || stock.valueCompletion !== undefined) return 'stock reported errors: the rule applies as it is';
  const data = junction.data === undefined ? undefined : (JSON.parse(junction.data) as unknown);
  const own = junction.errors.filter((error) => error.extensions.code === 'INVALID_GRAPHQL' && nullAtOrAbove(data, error.path));
  if (own.length === 0) return 'Junction reported no completion error where stock dropped one';
  return firstDifference({ ...junction, errors: junction.errors.filter((error) => !own.includes(error)) }, stock);
}

/** The right data with no error, or no data and only coded errors (not INTERNAL_SERVER_ERROR). */
export function rightOrRefused(junction: GatewayAnswer, data: string): string | undefined {
  if (junction.data === data && junction.errors.length === 0 && junction.status === 200) return undefined;
  if (refusal(junction)) return undefined;
  return `neither the right data (${data}) nor a refusal with a coded error`;
}

/** The operation with every field whose response name is `name` given the alias `alias`. */
export function aliased(query: string, name: string, alias: string): string {
  return print(
    visit(parse(query), {
      Field: (node) => ((node.alias?.value ?? node.name.value) === name ? { ...node, alias: { kind: Kind.NAME, value: alias } } : undefined),
    }),
  );
}

const PLANNER_GAP_CODES = new Set(['QUERY_PLAN_INVALID', 'QUERY_PLAN_EMPTY']);

export function plannerGapsReported(junction: GatewayAnswer, stock: GatewayAnswer): string | undefined {
  const data = junction.data === undefined ? undefined : (JSON.parse(junction.data) as unknown);
  const gaps = junction.errors.filter((error) => PLANNER_GAP_CODES.has(String(error.extensions.code)));
  if (gaps.length === 0) return 'Junction reported no error coded QUERY_PLAN_INVALID or QUERY_PLAN_EMPTY';
  if (!gaps.every((error) => nullAtOrAbove(data, error.path))) return 'a planner error where Junction has data';
  // Stock's own completion errors are what the gap left null: Junction names the cause instead.
  return firstDifference({ ...junction, errors: junction.errors.filter((error) => !gaps.includes(error)) }, { ...stock, valueCompletion: undefined });
}

/** The document with only `__schema`, `__type` and `__typename` at the root (through fragments on the root type): what graphql-js can answer alone. */
export function introspectionOnly(document: DocumentNode, schema: GraphQLSchema): DocumentNode {
  const roots = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name, schema.getSubscriptionType()?.name].filter(Boolean));
  const keep = (selections: readonly SelectionNode[]): SelectionNode[] => {
    const kept = selections.flatMap((selection): SelectionNode[] => {
      if (selection.kind === Kind.FIELD) return ['__schema', '__type', '__typename'].includes(selection.name.value) ? [selection] : [];
      if (selection.kind === Kind.INLINE_FRAGMENT) return [{ ...selection, selectionSet: { ...selection.selectionSet, selections: keepOrTypename(selection.selectionSet.selections) } }];
      return [selection];
    });
    return kept;
  };
  const keepOrTypename = (selections: readonly SelectionNode[]): SelectionNode[] => {
    const kept = keep(selections);
    return kept.length > 0 ? kept : [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' }, directives: [skipped()] }];
  };
  return {
    ...document,
    definitions: document.definitions.map((node) => {
      if (node.kind === Kind.OPERATION_DEFINITION || (node.kind === Kind.FRAGMENT_DEFINITION && roots.has(node.typeCondition.name.value))) {
        return { ...node, selectionSet: { ...node.selectionSet, selections: keepOrTypename(node.selectionSet.selections) } };
      }
      return node;
    }),
  };
}

/** The response names of the root's `__schema` and `__type` fields, through fragments. */
export function introspectionResponseNames(document: DocumentNode, operationName: string | undefined): Set<string> {
  const operation = getOperationAST(document, operationName);
  const fragments = new Map(document.definitions.flatMap((node) => (node.kind === Kind.FRAGMENT_DEFINITION ? [[node.name.value, node] as const] : [])));
  const names = new Set<string>();
  const collect = (selections: readonly SelectionNode[], seen: Set<string>) => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '__schema' || selection.name.value === '__type') names.add(selection.alias?.value ?? selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet.selections, seen);
      else if (!seen.has(selection.name.value)) {
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet.selections, new Set([...seen, selection.name.value]));
      }
    }
  };
  if (operation) collect(operation.selectionSet.selections, new Set());
  return names;
}

/** JSON text with the keys of every object sorted: the values, whatever their order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
