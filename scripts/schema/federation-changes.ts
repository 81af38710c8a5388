import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type DefinitionNode,
  type InterfaceTypeDefinitionNode,
  type ObjectTypeDefinitionNode,
} from 'graphql';
import { change, type SchemaChange } from './schema-change.js';

/**
 * Federation-aware rules, read from the supergraphs' join__ directives. None
 * changes what a client may ask, but each changes how the gateway answers
 * (which subgraph it asks, in which order, with which extra fetches), so each
 * is dangerous: an entity's keys per subgraph, a field's @requires and
 * @provides per subgraph, and which subgraphs resolve a field.
 */
type FieldFacts = { owners: string[]; requires: Map<string, string>; provides: Map<string, string> };
type EntityFacts = { keys: Map<string, string[]>; fields: Map<string, FieldFacts> };

type Arguments = Map<string, string | boolean>;

function argumentsOf(directive: ConstDirectiveNode): Arguments {
  const values: Arguments = new Map();
  for (const argument of directive.arguments ?? []) {
    const { value } = argument;
    if (value.kind === Kind.STRING || value.kind === Kind.ENUM) values.set(argument.name.value, value.value);
    else if (value.kind === Kind.BOOLEAN) values.set(argument.name.value, value.value);
  }
  return values;
}

const uses = (node: { directives?: readonly ConstDirectiveNode[] | undefined }, name: string) =>
  (node.directives ?? []).filter((directive) => directive.name.value === name).map(argumentsOf);

/** Field sets compared by their fields, not their spacing. */
const normalized = (fieldSet: string) => fieldSet.replace(/[\s,]+/g, ' ').replace(/\s*([{}])\s*/g, ' $1 ').trim();

/** `join__Graph` enum value → subgraph name. */
function graphNames(definitions: readonly DefinitionNode[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const definition of definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const name = uses(value, 'join__graph')[0]?.get('name');
      names.set(value.name.value, typeof name === 'string' ? name : value.name.value.toLowerCase());
    }
  }
  return names;
}

function entityFacts(
  definition: ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode,
  graph: (value: unknown) => string,
): EntityFacts {
  const keys = new Map<string, string[]>();
  const typeGraphs: string[] = [];
  for (const join of uses(definition, 'join__type')) {
    const subgraph = graph(join.get('graph'));
    typeGraphs.push(subgraph);
    const key = join.get('key');
    if (typeof key !== 'string') continue;
    const described = join.get('resolvable') === false ? `${normalized(key)} (resolvable: false)` : normalized(key);
    keys.set(subgraph, [...(keys.get(subgraph) ?? []), described].sort());
  }
  const fields = new Map<string, FieldFacts>();
  for (const field of definition.fields ?? []) {
    const joins = uses(field, 'join__field').filter((join) => join.has('graph'));
    const facts: FieldFacts = { owners: [], requires: new Map(), provides: new Map() };
    for (const join of joins) {
      const subgraph = graph(join.get('graph'));
      if (join.get('external') !== true && join.get('usedOverridden') !== true) facts.owners.push(subgraph);
      for (const name of ['requires', 'provides'] as const) {
        const fieldSet = join.get(name);
        if (typeof fieldSet === 'string') facts[name].set(subgraph, normalized(fieldSet));
      }
    }
    // Without @join__field, every subgraph that defines the type resolves the field.
    if (joins.length === 0) facts.owners.push(...typeGraphs);
    facts.owners.sort();
    fields.set(field.name.value, facts);
  }
  return { keys, fields };
}

function federationFacts(supergraphSdl: string): Map<string, EntityFacts> {
  const { definitions } = parse(supergraphSdl);
  const names = graphNames(definitions);
  const graph = (value: unknown) => (typeof value === 'string' ? (names.get(value) ?? value) : '(no subgraph)');
  const types = new Map<string, EntityFacts>();
  for (const definition of definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    if (uses(definition, 'join__type').length === 0) continue;
    types.set(definition.name.value, entityFacts(definition, graph));
  }
  return types;
}

const list = (values: readonly string[]) => (values.length === 0 ? 'none' : values.map((value) => `"${value}"`).join(', '));
const subgraphList = (values: readonly string[]) => (values.length === 0 ? 'no subgraph' : values.join(', '));

function fieldSetChanges(
  kind: 'requires' | 'provides',
  coordinate: string,
  before: Map<string, string>,
  after: Map<string, string>,
): SchemaChange[] {
  const type = kind === 'requires' ? 'REQUIRES_CHANGED' : 'PROVIDES_CHANGED';
  const changes: SchemaChange[] = [];
  for (const subgraph of new Set([...before.keys(), ...after.keys()])) {
    const [was, is] = [before.get(subgraph), after.get(subgraph)];
    if (was === is) continue;
    const what =
      was === undefined ? `now has @${kind}(fields: "${is}")`
      : is === undefined ? `no longer has @${kind}(fields: "${was}")`
      : `@${kind} changed from "${was}" to "${is}"`;
    changes.push(change('dangerous', type, coordinate, `${coordinate} ${what} in subgraph ${subgraph}.`));
  }
  return changes;
}

/** Changes between two supergraphs' keys, @requires, @provides and field owners, for types and fields in both. */
export function findFederationChanges(oldSupergraphSdl: string, newSupergraphSdl: string): SchemaChange[] {
  const [before, after] = [federationFacts(oldSupergraphSdl), federationFacts(newSupergraphSdl)];
  const changes: SchemaChange[] = [];
  for (const [type, facts] of after) {
    const old = before.get(type);
    if (!old) continue;
    for (const subgraph of new Set([...old.keys.keys(), ...facts.keys.keys()])) {
      const [was, is] = [old.keys.get(subgraph) ?? [], facts.keys.get(subgraph) ?? []];
      if (was.join('|') === is.join('|')) continue;
      const message = `${type}'s @key in subgraph ${subgraph} changed from ${list(was)} to ${list(is)}.`;
      changes.push(change('dangerous', 'KEY_CHANGED', type, message));
    }
    for (const [name, field] of facts.fields) {
      const previous = old.fields.get(name);
      if (!previous) continue;
      const coordinate = `${type}.${name}`;
      if (previous.owners.join() !== field.owners.join()) {
        const message = `${coordinate} moved: resolved by ${subgraphList(previous.owners)} before, by ${subgraphList(field.owners)} now.`;
        changes.push(change('dangerous', 'FIELD_OWNER_CHANGED', coordinate, message));
      }
      changes.push(...fieldSetChanges('requires', coordinate, previous.requires, field.requires));
      changes.push(...fieldSetChanges('provides', coordinate, previous.provides, field.provides));
    }
  }
  return changes;
}
