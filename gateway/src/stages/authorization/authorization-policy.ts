import {
  DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES,
  defaultPrintOptions,
  printSchema,
  Supergraph,
  type Schema,
} from '@apollo/federation-internals';
import {
  buildSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  Kind,
  parse,
  print,
  visit,
  type GraphQLCompositeType,
  type GraphQLSchema,
} from 'graphql';
import { CONTEXT_FEATURE } from '#gateway/execution/context-rewrites.js';

const AUTHENTICATED = 'https://specs.apollo.dev/authenticated';
const REQUIRES_SCOPES = 'https://specs.apollo.dev/requiresScopes';

/**
 * The features the gateway may be asked to honour. Any other `for: SECURITY`
 * feature (@policy…) makes the supergraph unusable rather than silently open.
 */
const ENFORCED_FEATURES = new Set([
  ...DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES,
  `${AUTHENTICATED}/v0.1`,
  `${REQUIRES_SCOPES}/v0.1`,
  // Not a security feature, though linked `for: SECURITY`: the executor applies it (context-rewrites.ts).
  CONTEXT_FEATURE,
]);

/** One `@requiresScopes(scopes:)`: at least one inner list, all of whose scopes the caller holds. */
export type ScopeAlternatives = readonly (readonly string[])[];

/** What a caller must have to select something: authentication and every listed scope clause. */
export type Requirement = {
  readonly authenticated: boolean;
  readonly scopes: readonly ScopeAlternatives[];
};

/** What the supergraph requires, computed once per supergraph. */
export type AuthorizationPolicy = {
  /** The schema clients see (and the gateway executes against). */
  readonly apiSchema: GraphQLSchema;
  /**
   * Per selection scope (object or interface type) and field: what selecting it
   * requires. Fields that require nothing are absent.
   */
  readonly requirements: ReadonlyMap<string, ReadonlyMap<string, Requirement>>;
  /** Types under which a selection can meet a requirement; walks skip every other subtree. */
  readonly guarded: ReadonlySet<string>;
};

/** Whether `caller` meets `requirement`; `scopes` is the caller's scopes as a set. */
export function satisfies(requirement: Requirement, authenticated: boolean, scopes: ReadonlySet<string>): boolean {
  if (requirement.authenticated && !authenticated) return false;
  return requirement.scopes.every((alternatives) => alternatives.some((all) => all.every((scope) => scopes.has(scope))));
}

/**
 * Reads `@authenticated` and `@requiresScopes` (under whatever names the
 * supergraph's `@link`s give them) and works out, for every field of every
 * object and interface, what selecting it requires:
 * - the field's own directives and those of the type it returns (as the Router:
 *   a directive on a type protects every field returning it);
 * - the directives of the type it is selected on, so a protected object type is
 *   also protected when reached through an interface, a union or the root;
 * - on an interface, all of the above for every implementation, because which
 *   one answers is only known once the data is fetched. Clients reach the
 *   implementations they may see through inline fragments.
 */
export function authorizationPolicy(supergraphSdl: string): AuthorizationPolicy {
  const supergraph = Supergraph.build(supergraphSdl, { supportedFeatures: ENFORCED_FEATURES });
  // Through SDL, not toGraphQLJSSchema(): federation-internals loads graphql's
  // CommonJS build, and where this module gets the ESM one (vitest) their types
  // would be strangers to each other (and, outside development, silently so).
  const apiSchema = buildSchema(printSchema(supergraph.apiSchema(), { ...defaultPrintOptions, mergeTypesAndExtensions: true }));
  const own = ownRequirements(supergraph.schema);
  const none: Requirement = { authenticated: false, scopes: [] };
  const ofType = (name: string) => own.get(name) ?? none;
  const ofField = (type: string, field: string) => own.get(`${type}.${field}`) ?? none;

  const requirements = new Map<string, Map<string, Requirement>>();
  if (own.size > 0) {
    for (const type of Object.values(apiSchema.getTypeMap())) {
      if (!isObjectType(type) && !isInterfaceType(type)) continue;
      const answering = isObjectType(type) ? [type] : apiSchema.getPossibleTypes(type);
      for (const field of Object.values(type.getFields())) {
        const parts = [ofType(type.name), ofField(type.name, field.name), ofType(getNamedType(field.type).name)];
        for (const object of answering) {
          const implementation = object.getFields()[field.name];
          if (!implementation) continue;
          parts.push(ofType(object.name), ofField(object.name, field.name), ofType(getNamedType(implementation.type).name));
        }
        const requirement = combine(parts);
        if (!requirement) continue;
        let fields = requirements.get(type.name);
        if (!fields) requirements.set(type.name, (fields = new Map()));
        fields.set(field.name, requirement);
      }
    }
  }
  return { apiSchema, requirements, guarded: guardedTypes(apiSchema, new Set(requirements.keys())) };
}

/** Directive applications in the supergraph, by `Type` and `Type.field`. */
function ownRequirements(schema: Schema): Map<string, Requirement> {
  const features = schema.coreFeatures;
  const authenticated = features?.getByIdentity(AUTHENTICATED)?.directiveNameInSchema('authenticated');
  const requiresScopes = features?.getByIdentity(REQUIRES_SCOPES)?.directiveNameInSchema('requiresScopes');
  const found = new Map<string, Requirement>();
  if (authenticated === undefined && requiresScopes === undefined) return found;

  const read = (key: string, element: DirectiveTarget) => {
    const requirement = combine([
      {
        authenticated: authenticated !== undefined && element.appliedDirectivesOf(authenticated).length > 0,
        scopes:
          requiresScopes === undefined
            ? []
            : element.appliedDirectivesOf(requiresScopes).map((directive) => scopeAlternatives(directive.arguments().scopes)),
      },
    ]);
    if (requirement) found.set(key, requirement);
  };
  for (const type of schema.types()) {
    read(type.name, type);
    if (type.kind === 'ObjectType' || type.kind === 'InterfaceType') {
      for (const field of type.fields()) read(`${type.name}.${field.name}`, field);
    }
  }
  return found;
}

/** A type or field of the supergraph, as far as reading directives goes. */
type DirectiveTarget = {
  appliedDirectivesOf(name: string): readonly { arguments(): { readonly [argument: string]: unknown } }[];
};

function scopeAlternatives(value: unknown): ScopeAlternatives {
  if (!Array.isArray(value)) return [];
  return value.map((all: unknown) => (Array.isArray(all) ? all.filter((s): s is string => typeof s === 'string') : []));
}

/**
 * The conjunction of `parts`, normalised so equal requirements compare equal;
 * undefined when it requires nothing. As the Router, an empty `scopes: []`
 * requires nothing, and neither does an alternative with no scopes in it.
 */
function combine(parts: readonly Requirement[]): Requirement | undefined {
  let authenticated = false;
  const clauses = new Map<string, ScopeAlternatives>();
  for (const part of parts) {
    authenticated ||= part.authenticated;
    for (const alternatives of part.scopes) {
      if (alternatives.length === 0 || alternatives.some((all) => all.length === 0)) continue;
      const normal = alternatives.map((all) => [...new Set(all)].sort()).sort((a, b) => key(a).localeCompare(key(b)));
      clauses.set(key(normal), normal);
    }
  }
  if (!authenticated && clauses.size === 0) return undefined;
  return { authenticated, scopes: [...clauses.values()] };
}

function key(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * Every type from which a selection set can lead to a protected field: through
 * a field's type, or a fragment switching to an overlapping type (a possible
 * type, an implemented interface, a union the object belongs to).
 */
function guardedTypes(schema: GraphQLSchema, protectedTypes: ReadonlySet<string>): Set<string> {
  const leadsHere = new Map<string, Set<string>>();
  const edge = (from: GraphQLCompositeType, to: GraphQLCompositeType) => {
    let sources = leadsHere.get(to.name);
    if (!sources) leadsHere.set(to.name, (sources = new Set()));
    sources.add(from.name);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        const named = getNamedType(field.type);
        if (isObjectType(named) || isInterfaceType(named) || isUnionType(named)) edge(type, named);
      }
      for (const implemented of type.getInterfaces()) {
        edge(type, implemented);
        edge(implemented, type);
      }
    }
    if (isUnionType(type)) {
      for (const member of type.getTypes()) {
        edge(type, member);
        edge(member, type);
      }
    }
  }
  const guarded = new Set(protectedTypes);
  const queue = [...protectedTypes];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    for (const source of leadsHere.get(name) ?? []) {
      if (guarded.has(source)) continue;
      guarded.add(source);
      queue.push(source);
    }
  }
  return guarded;
}

/**
 * The supergraph as @apollo/gateway will load it. The gateway refuses links
 * `for: SECURITY` it does not enforce itself, which includes @authenticated and
 * @requiresScopes; Junction enforces those two (`authorize`), so their links
 * lose the `for:` here. Any other security feature keeps it, and the gateway
 * keeps refusing it. Only for a gateway that calls `authorize` on every request.
 */
export function supergraphForGateway(supergraphSdl: string): string {
  const enforced = [`${AUTHENTICATED}/`, `${REQUIRES_SCOPES}/`];
  const document = visit(parse(supergraphSdl), {
    Directive(directive) {
      if (directive.name.value !== 'link') return undefined;
      const url = directive.arguments?.find((argument) => argument.name.value === 'url')?.value;
      if (url?.kind !== Kind.STRING || !enforced.some((identity) => url.value.startsWith(identity))) return undefined;
      return { ...directive, arguments: directive.arguments?.filter((argument) => argument.name.value !== 'for') };
    },
  });
  return print(document);
}
