import type { Supergraph } from '@apollo/federation-internals';
import type { FetchNode, PlanNode, QueryPlan } from '@apollo/query-planner';
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  print,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * Places where one response name would hold two different fields. The plan
 * executor merges every fetch's answer into one tree keyed by response name,
 * as @apollo/gateway does; when the query planner fetches a field for a
 * `@requires` with other arguments than the client's field of the same name
 * at the same place (`comments(limit: 3)` for the requirement, `comments(limit: 1)`
 * for the client), or two requirements need the same field with different
 * arguments, the two answers land in one slot and one of them is wrong.
 * Stock @apollo/gateway answers such operations wrongly; Junction finds the
 * places first (once per plan), aliases the client's fields out of the way
 * when that settles it (executor.ts), and otherwise refuses the operation.
 */
export type Conflict = {
  /** Response names from the root, lists left out: `feed.comments`. */
  path: string;
  responseName: string;
  /** The field as the client selected it, when the client's is one of the two. */
  client?: FieldSignature;
  /** The other field, fetched for the plan. */
  fetched: FieldSignature;
};

/** A field and its arguments, as text (`comments(limit:1)`), and the type it is selected on. */
export type FieldSignature = { type: GraphQLCompositeType; text: string };

type Entry = { type: GraphQLCompositeType; text: string; client: boolean };

/** The `@requires` field set of a field in a subgraph (`price(currency: "EUR") weight`), if it has one. */
export type Requirements = (subgraph: string, type: string, field: string) => string | undefined;

/** Every subgraph's `@requires` field sets, read from the supergraph once. */
export function requirementsOf(supergraph: Supergraph): Requirements {
  const bySubgraph = new Map<string, Map<string, string>>();
  return (subgraph, type, field) => {
    let requirements = bySubgraph.get(subgraph);
    if (!requirements) {
      requirements = new Map();
      const source = supergraph.subgraphs().get(subgraph);
      if (source) {
        const requiresDirective = source.metadata().requiresDirective();
        for (const application of requiresDirective.applications()) {
          const parent = application.parent as { coordinate?: string };
          if (parent.coordinate) requirements.set(parent.coordinate, String(application.arguments().fields));
        }
      }
      bySubgraph.set(subgraph, requirements);
    }
    return requirements.get(`${type}.${field}`);
  };
}

export function planConflicts(schema: GraphQLSchema, clientOperation: DocumentNode, plan: QueryPlan, requirements?: Requirements): Conflict[] {
  const entries = new Map<string, Entry[]>();
  const add = (path: readonly string[], responseName: string, entry: Entry) => {
    const key = `${path.join('.')}\u0000${responseName}`;
    const list = entries.get(key);
    if (!list) entries.set(key, [entry]);
    // The client's own field, as a fetch selects it, is the client's: a clash of it with a field the plan adds
    // is settled by aliasing the client's.
    else if (!list.some((each) => each.text === entry.text && (each.type === entry.type || (each.client && !entry.client && overlap(schema, each.type, entry.type))))) list.push(entry);
  };

  const operation = clientOperation.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const root = operation && schema.getRootType(operation.operation);
  if (operation && root) walk(schema, fragmentsOf(clientOperation), operation.selectionSet, root, [], (path, name, entry) => add(path, name, { ...entry, client: true }));
  for (const fetch of fetchesOf(plan.node)) {
    const document = parse(fetch.operation);
    const fetchOperation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
    if (!fetchOperation) continue;
    const base = fetch.path.filter((step): step is string => typeof step === 'string' && step !== '@');
    const fragments = fragmentsOf(document);
    // The planner aliases a field it adds when the client's selection holds its name (`id__alias_0: id` beside the
    // client's `id: name`) and renames it back after the fetch (a KeyRenamer output rewrite): it lands under that name.
    const renamed = outputRenames(fetch.outputRewrites) ?? new Map<string, string>();
    const report = (path: readonly string[], name: string, entry: { type: GraphQLCompositeType; text: string }) => add(path, name, { ...entry, client: false });
    const fetchRoot = schema.getRootType(fetchOperation.operation);
    if (fetch.entities) {
      // `_entities(representations:) { ... on T { … } }`: the selections on each entity type, at the Flatten's path.
      for (const selection of fetchOperation.selectionSet.selections) {
        if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
        walk(schema, fragments, selection.selectionSet, undefined, base, report, renamed);
        // What a `@requires` needs sits in the entity under the field's own names: the planner must have fetched
        // it with the arguments the requirement names, not the client's (it does not always: it reuses a field
        // of that name fetched with other arguments).
        if (requirements) {
          for (const entity of selection.selectionSet.selections) {
            if (entity.kind !== Kind.INLINE_FRAGMENT || !entity.typeCondition) continue;
            const type = schema.getType(entity.typeCondition.name.value);
            if (!type || !isCompositeType(type)) continue;
            for (const field of entity.selectionSet.selections) {
              if (field.kind !== Kind.FIELD) continue;
              const needs = requirements(fetch.serviceName, type.name, field.name.value);
              if (needs) walk(schema, new Map(), (parse(`{${needs}}`).definitions[0] as OperationDefinitionNode).selectionSet, type, base, report);
            }
          }
        }
      }
    } else if (fetchRoot) walk(schema, fragments, fetchOperation.selectionSet, fetchRoot, base, report, renamed);
    // With @defer the planner may count on a key the client's selection only seems to hold (`id: handle` where a
    // deferred block needs `id`) and not fetch it: the key then holds another field. Plans without @defer alias such keys.
    for (const selection of fetch.deferredRequires ?? []) {
      const type = selection.kind === 'InlineFragment' && selection.typeCondition ? schema.getType(selection.typeCondition) : undefined;
      if (!type || !isCompositeType(type) || selection.kind !== 'InlineFragment') continue;
      for (const key of selection.selections) {
        if (key.kind === 'Field' && key.name !== '__typename') report(base, key.alias ?? key.name, { type, text: `${key.name}()` });
      }
    }
  }

  const conflicts: Conflict[] = [];
  for (const [key, list] of entries) {
    if (list.length < 2) continue;
    const [path = '', responseName = ''] = key.split('\u0000');
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i]!;
        const b = list[j]!;
        if (a.text === b.text || !overlap(schema, a.type, b.type)) continue;
        const client = a.client ? a : b.client ? b : undefined;
        const fetched = client === a ? b : a;
        conflicts.push({ path, responseName, ...(client ? { client: { type: client.type, text: client.text } } : {}), fetched: { type: fetched.type, text: fetched.text } });
      }
    }
  }
  return conflicts;
}

/**
 * The response names a fetch's output rewrites give back: the planner's alias
 * (`id__alias_0`) to the name the field has once fetched (`id`).
 */
export function outputRenames(rewrites: FetchNode['outputRewrites']): Map<string, string> | undefined {
  let renames: Map<string, string> | undefined;
  for (const rewrite of rewrites ?? []) {
    if (rewrite.kind !== 'KeyRenamer') continue;
    const alias = rewrite.path[rewrite.path.length - 1];
    if (alias !== undefined) (renames ??= new Map()).set(alias, rewrite.renameKeyTo);
  }
  return renames;
}

type Fetch = {
  serviceName: string;
  operation: string;
  entities: boolean;
  path: readonly (string | number)[];
  outputRewrites?: FetchNode['outputRewrites'];
  /** The key fields a deferred block's entity fetch reads from the objects already fetched (see `planConflicts`). */
  deferredRequires?: FetchNode['requires'];
};

/** Every fetch of a plan, with the Flatten path it writes at; both branches of a condition. */
function fetchesOf(node: PlanNode | QueryPlan['node'], path: readonly (string | number)[] = []): Fetch[] {
  if (!node) return [];
  switch (node.kind) {
    case 'Fetch':
      return [{ serviceName: node.serviceName, operation: node.operation, entities: node.requires !== undefined, path, outputRewrites: node.outputRewrites }];
    case 'Flatten':
      return fetchesOf(node.node, [...path, ...node.path]);
    case 'Sequence':
    case 'Parallel':
      return node.nodes.flatMap((child) => fetchesOf(child, path));
    case 'Condition':
      return [...fetchesOf(node.ifClause, path), ...fetchesOf(node.elseClause, path)];
    case 'Defer':
      return [
        ...fetchesOf(node.primary.node, path),
        ...node.deferred.flatMap((deferred) => fetchesOf(deferred.node, path).map((fetch) => (fetch.entities ? { ...fetch, deferredRequires: requiresOf(deferred.node) } : fetch))),
      ];
    case 'Subscription':
      return [...fetchesOf(node.primary, path), ...fetchesOf(node.rest, path)];
  }
}

/** The `requires` of the entity fetches in a deferred block. */
function requiresOf(node: PlanNode | undefined): FetchNode['requires'] {
  if (!node) return undefined;
  if (node.kind === 'Fetch') return node.requires;
  if (node.kind === 'Flatten') return requiresOf(node.node);
  return undefined;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  return fragments;
}

/**
 * Every field of a selection set, with its place, type and signature; fragments followed. `parent` undefined: only
 * typed fragments apply. `renamed`: response names the fetch's output rewrites turn into others.
 */
function walk(
  schema: GraphQLSchema,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType | undefined,
  path: readonly string[],
  report: (path: readonly string[], responseName: string, entry: { type: GraphQLCompositeType; text: string }) => void,
  renamed: ReadonlyMap<string, string> = new Map(),
  visiting: ReadonlySet<string> = new Set(),
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!parent || selection.name.value.startsWith('__')) continue;
      const written = selection.alias?.value ?? selection.name.value;
      const responseName = renamed.get(written) ?? written;
      const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
      report(path, responseName, { type: parent, text: signature(selection, definition) });
      const child = definition ? getNamedType(definition.type) : undefined;
      if (selection.selectionSet && child && isCompositeType(child)) walk(schema, fragments, selection.selectionSet, child, [...path, responseName], report, renamed, visiting);
      continue;
    }
    let condition: string | undefined;
    let inner: SelectionSetNode;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      condition = selection.typeCondition?.name.value;
      inner = selection.selectionSet;
    } else {
      const fragment = fragments.get(selection.name.value);
      if (!fragment || visiting.has(fragment.name.value)) continue;
      condition = fragment.typeCondition.name.value;
      inner = fragment.selectionSet;
      visiting = new Set([...visiting, fragment.name.value]);
    }
    const type = condition ? schema.getType(condition) : parent;
    if (type && isCompositeType(type)) walk(schema, fragments, inner, type, path, report, renamed, visiting);
  }
}

/**
 * A field's name and arguments as text, arguments in name order, literals as
 * their type reads them (the planner writes `id: "1"` of an ID as `id: 1`):
 * `comments(limit:1)`.
 */
export function signature(field: FieldNode, definition?: GraphQLField<unknown, unknown>): string {
  const args = [...(field.arguments ?? [])]
    .sort((a, b) => (a.name.value < b.name.value ? -1 : 1))
    .map((argument) => `${argument.name.value}:${valueText(argument.value, definition?.args.find((each) => each.name === argument.name.value)?.type)}`);
  return `${field.name.value}(${args.join(',')})`;
}

function valueText(value: ValueNode, type: GraphQLInputType | undefined): string {
  const named = type && isNonNullType(type) ? type.ofType : type;
  switch (value.kind) {
    case Kind.VARIABLE:
      return `$${value.name.value}`;
    case Kind.NULL:
      return 'null';
    case Kind.LIST: {
      const item = named && isListType(named) ? named.ofType : undefined;
      return `[${value.values.map((each) => valueText(each, item)).join(',')}]`;
    }
    case Kind.OBJECT: {
      const fields = named && isInputObjectType(named) ? named.getFields() : undefined;
      const entries = [...value.fields].sort((a, b) => (a.name.value < b.name.value ? -1 : 1));
      return `{${entries.map((entry) => `${entry.name.value}:${valueText(entry.value, fields?.[entry.name.value]?.type)}`).join(',')}}`;
    }
    default: {
      // One item where a list is expected is the list of it, as input coercion has it.
      const leaf = named && isListType(named) ? getNamedType(named) : named;
      if (leaf && isLeafType(leaf)) {
        try {
          return JSON.stringify(leaf.parseLiteral(value, undefined)) ?? print(value);
        } catch {
          return print(value);
        }
      }
      return print(value);
    }
  }
}

/** Whether a value could be of both types: the same type, or abstract types sharing an object type. */
function overlap(schema: GraphQLSchema, a: GraphQLCompositeType, b: GraphQLCompositeType): boolean {
  if (a === b) return true;
  const objects = (type: GraphQLCompositeType) => (isAbstractType(type) ? schema.getPossibleTypes(type) : [type]);
  const ofA = new Set(objects(a));
  return objects(b).some((type) => ofA.has(type));
}
