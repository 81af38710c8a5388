import fc from 'fast-check';
import {
  astFromValue,
  getNamedType,
  GraphQLBoolean,
  GraphQLNonNull,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  print,
  SchemaMetaFieldDef,
  specifiedRules,
  TypeMetaFieldDef,
  validate,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import type { Operation } from '../support/executor-comparison.js';
import { STOCK_LACKS_INTROSPECTION } from './known-differences.js';
import type { GeneratorSettings, ValuePools } from './shape.js';

/**
 * Operations generated from an API schema, for fast-check: selections of
 * fields (with arguments from the shape's value pools, literal or through
 * variables with and without defaults), `__typename` anywhere, inline
 * fragments and named fragments on the type, its interfaces, its unions and
 * its possible types, aliases, @skip/@include on literals and variables, and
 * `__schema`/`__type` introspection beside data. Every operation is valid
 * against the schema (graphql-js validates each; the others are discarded),
 * and fast-check shrinks a failing one to a minimal one.
 */
type Condition = { name: 'skip' | 'include'; value: boolean | { variable: { provided: boolean | undefined; defaultValue: boolean | undefined } } };
type ArgumentValue = { literal: unknown } | { variable: { provided: unknown; defaultValue: unknown } };
type Selection =
  | { kind: 'field'; name: string; alias: string | undefined; args: [GraphQLArgument, ArgumentValue][]; conditions: Condition[]; selections: Selection[] | undefined }
  | { kind: 'inline' | 'spread'; on: string | undefined; conditions: Condition[]; selections: Selection[] };
type Tree = { kind: 'query' | 'mutation'; name: string | undefined; selections: Selection[] };

const ALIASES = ['a', 'b', 'id', 'name'];
/** Fragments within fragments, at most. */
const FRAGMENT_DEPTH = 2;
/** Longest operation text kept: longer ones answer slowly and say little more. */
const MAX_LENGTH = 3_000;

const DEFAULT_POOLS: ValuePools = { Int: [0, 1, 2], Float: [0.5], String: ['a'], ID: ['1'] };

type Generated = Operation & { query: string; variables: Record<string, unknown> };

export function operations(schema: GraphQLSchema, pools: ValuePools, settings: GeneratorSettings = {}): fc.Arbitrary<Generated> {
  const depth = settings.depth ?? 3;
  const excluded = new Set<string>([...(settings.exclude ?? []), ...STOCK_LACKS_INTROSPECTION]);
  const alwaysGiven = new Set(settings.alwaysGive ?? []);
  const values = { ...DEFAULT_POOLS, ...pools, ...typeNames(schema) };
  const memo = new Map<string, fc.Arbitrary<Selection[]>>();

  /** Values for an input type, looked up by coordinate, then by type: undefined when there are none. */
  const valueOf = (type: GraphQLInputType, coordinate: string): fc.Arbitrary<unknown> | undefined => {
    if (isNonNullType(type)) return valueOf(type.ofType, coordinate);
    const pool = values[coordinate];
    if (pool && pool.length > 0) return fc.constantFrom(...pool);
    if (isListType(type)) {
      const item = valueOf(type.ofType, coordinate);
      return item && fc.array(item, { maxLength: 2 });
    }
    const named = getNamedType(type);
    const byType = values[named.name];
    if (byType && byType.length > 0) return fc.constantFrom(...byType);
    if (isEnumType(named)) return fc.constantFrom(...named.getValues().map((value) => value.name));
    if (named.name === 'Boolean') return fc.boolean();
    if (isInputObjectType(named)) {
      const fields = Object.values(named.getFields());
      const entries: Record<string, fc.Arbitrary<unknown>> = {};
      const required: string[] = [];
      for (const field of fields) {
        const arbitrary = valueOf(field.type, `${named.name}.${field.name}`);
        const mustGive = isNonNullType(field.type) && field.defaultValue === undefined;
        if (!arbitrary) {
          if (mustGive) return undefined;
          continue;
        }
        entries[field.name] = arbitrary;
        if (mustGive) required.push(field.name);
      }
      return fc.record(entries, { requiredKeys: required });
    }
    return undefined;
  };

  const conditions: fc.Arbitrary<Condition[]> = fc.oneof(
    { weight: 6, arbitrary: fc.constant<Condition[]>([]) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom<'skip' | 'include'>('skip', 'include'),
          fc.oneof(
            fc.boolean(),
            fc.record({ variable: fc.record({ provided: fc.option(fc.boolean(), { nil: undefined }), defaultValue: fc.option(fc.boolean(), { nil: undefined }) }) }),
          ),
        )
        .map(([name, value]): Condition[] => [{ name, value }]),
    },
  );

  const argumentValue = (argument: GraphQLArgument, pool: fc.Arbitrary<unknown>, required: boolean): fc.Arbitrary<ArgumentValue | undefined> => {
    const given = fc.oneof(
      { weight: 3, arbitrary: pool.map((literal): ArgumentValue => ({ literal })) },
      {
        weight: 1,
        arbitrary: fc
          .record({ provided: fc.option(pool, { nil: undefined }), defaultValue: fc.option(pool, { nil: undefined }) })
          // A variable of a non-null type without a default must be given.
          .map(({ provided, defaultValue }): ArgumentValue => ({
            variable: { provided: provided === undefined && defaultValue === undefined && isNonNullType(argument.type) ? undefined : provided, defaultValue },
          }))
          .filter((value) => !('variable' in value) || !isNonNullType(argument.type) || value.variable.provided !== undefined || value.variable.defaultValue !== undefined),
      },
    );
    return required ? given : fc.option(given, { nil: undefined });
  };

  const field = (parent: GraphQLCompositeType, definition: GraphQLField<unknown, unknown>, levels: number): fc.Arbitrary<Selection> | undefined => {
    const named = getNamedType(definition.type);
    let selections: fc.Arbitrary<Selection[] | undefined> = fc.constant(undefined);
    if (!isLeafType(named)) {
      if (levels <= 1 || !isCompositeType(named)) return undefined;
      selections = selectionSet(named, levels - 1, FRAGMENT_DEPTH);
    }
    const args: fc.Arbitrary<[GraphQLArgument, ArgumentValue] | undefined>[] = [];
    for (const argument of definition.args) {
      const coordinate = `${parent.name}.${definition.name}(${argument.name}:)`;
      const required = (isNonNullType(argument.type) && argument.defaultValue === undefined) || alwaysGiven.has(coordinate);
      const pool = excluded.has(coordinate) ? undefined : valueOf(argument.type, coordinate);
      if (!pool) {
        if (required) return undefined;
        continue;
      }
      args.push(argumentValue(argument, pool, required).map((value) => (value === undefined ? undefined : [argument, value])));
    }
    const siblings = isObjectType(parent) || isInterfaceType(parent) ? Object.keys(parent.getFields()).slice(0, 3) : [];
    return fc
      .record({
        alias: fc.option(fc.constantFrom(...new Set([...ALIASES, definition.name, ...siblings])), { nil: undefined, freq: 4 }),
        args: fc.tuple(...args),
        conditions,
        selections,
      })
      .map(({ alias, args: given, conditions: chosen, selections: sub }) => ({
        kind: 'field' as const,
        name: definition.name,
        alias,
        args: given.filter((entry): entry is [GraphQLArgument, ArgumentValue] => entry !== undefined),
        conditions: chosen,
        selections: sub,
      }));
  };

  const typename = fc
    .record({ alias: fc.option(fc.constantFrom('kind', 'type'), { nil: undefined, freq: 4 }), conditions })
    .map(({ alias, conditions: chosen }): Selection => ({ kind: 'field', name: '__typename', alias, args: [], conditions: chosen, selections: undefined }));

  /** Type conditions a fragment in a selection on `type` may have: every type whose possible types overlap its own. */
  const conditionsOn = (type: GraphQLCompositeType): GraphQLCompositeType[] => {
    const mine = new Set(possible(schema, type).map((candidate) => candidate.name));
    return Object.values(schema.getTypeMap()).filter(
      (candidate): candidate is GraphQLCompositeType =>
        isCompositeType(candidate) && !candidate.name.startsWith('__') && possible(schema, candidate).some((member) => mine.has(member.name)),
    );
  };

  function selectionSet(type: GraphQLCompositeType, levels: number, fragments: number): fc.Arbitrary<Selection[]> {
    const key = `${type.name}:${levels}:${fragments}`;
    const known = memo.get(key);
    if (known) return known;
    // Levels and fragment depth only go down, so this ends; the memo shares what types reached again build.
    const choices: fc.WeightedArbitrary<Selection>[] = [];
    if (isObjectType(type) || isInterfaceType(type)) {
      const fields: GraphQLField<unknown, unknown>[] = Object.values(type.getFields());
      if (type === schema.getQueryType()) fields.push(SchemaMetaFieldDef, TypeMetaFieldDef);
      for (const definition of fields) {
        if (excluded.has(`${type.name}.${definition.name}`)) continue;
        const chosen = field(type, definition, levels);
        if (chosen) choices.push({ arbitrary: chosen, weight: 4 });
      }
    }
    choices.push({ arbitrary: typename, weight: 1 });
    if (fragments > 0) {
      const inner = (on: GraphQLCompositeType, kind: 'inline' | 'spread', named: string | undefined) =>
        fc.record({ conditions, selections: selectionSet(on, levels, fragments - 1) }).map(
          ({ conditions: chosen, selections }): Selection => ({ kind, on: named, conditions: chosen, selections }),
        );
      choices.push({ arbitrary: inner(type, 'inline', undefined), weight: 1 });
      for (const on of conditionsOn(type)) {
        choices.push({ arbitrary: fc.oneof(inner(on, 'inline', on.name), inner(on, 'spread', on.name)), weight: 1 });
      }
    }
    const arbitrary = fc.array(fc.oneof(...choices), { minLength: 1, maxLength: 3 });
    memo.set(key, arbitrary);
    return arbitrary;
  }

  const roots: fc.Arbitrary<Tree>[] = [];
  const query = schema.getQueryType();
  const mutation = schema.getMutationType();
  const name = fc.option(fc.constant('Generated'), { nil: undefined });
  if (query) roots.push(fc.record({ kind: fc.constant('query' as const), name, selections: selectionSet(query, depth, FRAGMENT_DEPTH) }));
  if (mutation && settings.mutations) roots.push(fc.record({ kind: fc.constant('mutation' as const), name, selections: selectionSet(mutation, depth, FRAGMENT_DEPTH) }));
  return fc
    .oneof(...roots)
    .map(printed)
    .filter((operation) => operation.query.length <= MAX_LENGTH && validate(schema, parse(operation.query), specifiedRules).length === 0);
}

/** Every type that can be an object at a position of `type`. */
function possible(schema: GraphQLSchema, type: GraphQLCompositeType): readonly GraphQLNamedType[] {
  return isAbstractType(type) ? schema.getPossibleTypes(type) : [type];
}

/** `__type(name:)` asks for the schema's own types, and one it does not have. */
function typeNames(schema: GraphQLSchema): ValuePools {
  const names = Object.keys(schema.getTypeMap()).filter((name) => !name.startsWith('__'));
  return { [`${schema.getQueryType()?.name ?? 'Query'}.__type(name:)`]: [...names, '__Type', 'Nope'] };
}

/** The operation's text and variables: a variable per argument or condition that uses one, a fragment per spread. */
function printed(tree: Tree): Generated {
  const definitions: string[] = [];
  const variables: Record<string, unknown> = {};
  const fragments: string[] = [];
  const literal = (value: unknown, type: GraphQLInputType) => {
    const node = astFromValue(value, type);
    if (!node) throw new Error(`No literal for ${JSON.stringify(value)} as ${String(type)}`);
    return print(node);
  };
  const variable = (type: GraphQLInputType, provided: unknown, defaultValue: unknown) => {
    const name = `v${definitions.length}`;
    definitions.push(`$${name}: ${String(type)}${defaultValue === undefined ? '' : ` = ${literal(defaultValue, type)}`}`);
    if (provided !== undefined) variables[name] = provided;
    return `$${name}`;
  };
  const directives = (chosen: Condition[]) =>
    chosen
      .map(({ name, value }) => {
        if (typeof value === 'boolean') return ` @${name}(if: ${value})`;
        const { provided, defaultValue } = value.variable;
        // `Boolean!`, given, or `Boolean = default`, given or not.
        const reference =
          defaultValue === undefined ? variable(new GraphQLNonNull(GraphQLBoolean), provided ?? false, undefined) : variable(GraphQLBoolean, provided, defaultValue);
        return ` @${name}(if: ${reference})`;
      })
      .join('');
  const selectionSet = (selections: Selection[]): string => `{ ${selections.map(selection).join(' ')} }`;
  const selection = (chosen: Selection): string => {
    if (chosen.kind === 'field') {
      const args = chosen.args.map(([argument, value]) =>
        'literal' in value
          ? `${argument.name}: ${literal(value.literal, argument.type)}`
          : `${argument.name}: ${variable(argument.type, value.variable.provided, value.variable.defaultValue)}`,
      );
      return `${chosen.alias ? `${chosen.alias}: ` : ''}${chosen.name}${args.length > 0 ? `(${args.join(', ')})` : ''}${directives(chosen.conditions)}${chosen.selections ? ` ${selectionSet(chosen.selections)}` : ''}`;
    }
    if (chosen.kind === 'inline') return `...${chosen.on ? ` on ${chosen.on}` : ''}${directives(chosen.conditions)} ${selectionSet(chosen.selections)}`;
    // The name is taken before the fragment's own spreads take theirs.
    const at = fragments.push('') - 1;
    const name = `F${at}`;
    fragments[at] = `fragment ${name} on ${chosen.on} ${selectionSet(chosen.selections)}`;
    return `...${name}${directives(chosen.conditions)}`;
  };
  const body = selectionSet(tree.selections);
  const head = `${tree.kind}${tree.name ? ` ${tree.name}` : ''}${definitions.length > 0 ? `(${definitions.join(', ')})` : ''}`;
  const query = [`${tree.kind === 'query' && !tree.name && definitions.length === 0 ? '' : `${head} `}${body}`, ...fragments].join('\n');
  return { query, variables };
}
