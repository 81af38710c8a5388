import {
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLFormattedError,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
  type DirectiveNode,
} from 'graphql';
import { TYPENAME_ALIAS, type FilteredOperation } from './authorization-filter.js';
import type { Requirement } from './authorization-policy.js';

/** Past this many, further unauthorized positions (a huge list) are nulled without an error each. */
export const MAX_AUTHORIZATION_ERRORS = 100;

export type UnauthorizedCode = 'UNAUTHENTICATED' | 'FORBIDDEN';

/** How the errors for one caller read: its code, and the message for each requirement it does not meet. */
export type Denial = {
  readonly code: UnauthorizedCode;
  message(requirement: Requirement): string;
};

/** An execution result, before or after authorization. */
export type AuthorizedResponse = {
  data?: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
};

export type ExecutedResponse = {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<GraphQLFormattedError>;
};

export type Variables = Readonly<Record<string, unknown>> | undefined;
/** `removed`: the requirement that took the field (or the one above it) out; undefined when it stays. */
export type Occurrence = { node: FieldNode; removed: Requirement | undefined };
export type Scope = { set: SelectionSetNode; removed: Requirement | undefined };
type Path = (string | number)[];

/** Set where a position has to become null: it is non-null, so its parent goes null instead (as in execution). */
export const PROPAGATE: unique symbol = Symbol('propagate null');

/**
 * The response the client would have had if execution had answered the
 * removed fields with authorization errors: walks the operation as sent over
 * the result of the filtered one; every response key that the filtered
 * operation took out is set to null (with null propagating to the nearest
 * nullable parent) and gets one error at its exact path, list indices
 * included. Our `__typename` aliases go. Parts of the result nothing was taken
 * out of are passed through untouched. `variables` decide `@skip`/`@include`
 * on removed fields; without them such fields count as included.
 */
export function authorizeResponse(
  plan: FilteredOperation,
  result: ExecutedResponse,
  denial: Denial,
  variables?: Variables,
  part?: 'initial',
): AuthorizedResponse {
  const errors: GraphQLFormattedError[] = [];
  const response: AuthorizedResponse = { data: result.data };
  if (result.data) {
    // An answer in parts (@defer): each part holds its own fragments, not those deferred from it.
    const walker = new ResponseWalker(plan, denial, variables, errors, part === undefined ? 'walk' : 'aside');
    const root = plan.rootType;
    const data = walker.object([{ set: plan.operation.selectionSet, removed: undefined }], root, root, result.data, []);
    response.data = data === PROPAGATE ? null : data;
  }
  const all = [...(result.errors ?? []), ...errors];
  if (all.length > 0) response.errors = all;
  return response;
}

/**
 * How a walk treats `@defer` fragments: `walk` as any fragment (a whole
 * answer), `aside` leaves out those deferred (a part holds none of them),
 * `follow` includes them and applies every type condition (finding a
 * deferred part's place, where no runtime type is known).
 */
export type DeferMode = 'walk' | 'aside' | 'follow';

export class ResponseWalker {
  private readonly schema: GraphQLSchema;

  constructor(
    private readonly plan: FilteredOperation,
    private readonly denial: Denial,
    private readonly variables: Variables,
    private readonly errors: GraphQLFormattedError[],
    private readonly defers: DeferMode = 'walk',
  ) {
    this.schema = plan.schema;
  }

  /** The object as the operation sent asks for it, or PROPAGATE when it must be null. */
  object(
    scopes: readonly Scope[],
    type: GraphQLCompositeType,
    runtime: GraphQLObjectType | undefined,
    value: Record<string, unknown>,
    path: Path,
  ): Record<string, unknown> | typeof PROPAGATE {
    const out: Record<string, unknown> = {};
    for (const [key, occurrences] of this.collect(scopes, type, runtime)) {
      const name = occurrences[0]!.node.name.value;
      if (name === '__typename' && !(key in value)) {
        // Asked for only under a removed field: the type is known all the same.
        if (runtime && occurrences.some((occurrence) => occurrence.removed)) out[key] = runtime.name;
        continue;
      }
      const definition = (runtime ?? (isObjectType(type) || isInterfaceType(type) ? type : undefined))?.getFields()[name];
      if (!(key in value)) {
        // Missing without a removed occurrence: skipped by a condition we could not evaluate.
        const removed = occurrences.find((occurrence) => occurrence.removed)?.removed;
        if (!removed) continue;
        this.unauthorized([...path, key], removed);
        if (definition && isNonNullType(definition.type)) return PROPAGATE;
        out[key] = null;
        continue;
      }
      const field = value[key];
      if (!definition || occurrences.every(({ node, removed }) => !removed && !this.plan.touched.has(node))) {
        out[key] = field;
        continue;
      }
      const inner = occurrences.flatMap(({ node, removed }) => (node.selectionSet ? [{ set: node.selectionSet, removed }] : []));
      path.push(key);
      const walked = this.position(definition.type, field, inner, path);
      path.pop();
      if (walked === PROPAGATE) return PROPAGATE;
      out[key] = walked;
    }
    return out;
  }

  /** A value at a position of type `type`: PROPAGATE when it must be null but cannot be. */
  private position(type: GraphQLOutputType, value: unknown, scopes: readonly Scope[], path: Path): unknown {
    if (value === null || value === undefined) return value;
    const nullable = !isNonNullType(type);
    const inner = isNonNullType(type) ? type.ofType : type;
    let walked: unknown = value;
    if (isListType(inner)) {
      if (!Array.isArray(value)) return value;
      const items: unknown[] = [];
      for (let index = 0; index < value.length; index++) {
        path.push(index);
        const item = this.position(inner.ofType, value[index], scopes, path);
        path.pop();
        if (item === PROPAGATE) {
          walked = PROPAGATE;
          break;
        }
        items.push(item);
      }
      if (walked !== PROPAGATE) walked = items;
    } else if (isCompositeType(inner) && typeof value === 'object' && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      walked = this.object(scopes, inner, this.runtimeType(inner, record), record, path);
    }
    if (walked === PROPAGATE) return nullable ? null : PROPAGATE;
    return walked;
  }

  runtimeType(type: GraphQLCompositeType, value: Record<string, unknown>): GraphQLObjectType | undefined {
    if (isObjectType(type)) return type;
    const name = value[TYPENAME_ALIAS] ?? value.__typename;
    const runtime = typeof name === 'string' ? this.schema.getType(name) : undefined;
    return isObjectType(runtime) ? runtime : undefined;
  }

  private unauthorized(path: Path, requirement: Requirement): void {
    if (this.errors.length >= MAX_AUTHORIZATION_ERRORS) return;
    this.errors.push({ message: this.denial.message(requirement), path, extensions: { code: this.denial.code } });
  }

  /**
   * The fields of `scopes` for an object of type `runtime`, grouped by response
   * key as execution groups them. A field under a removed one counts as removed.
   */
  collect(
    scopes: readonly Scope[],
    type: GraphQLCompositeType,
    runtime: GraphQLObjectType | undefined,
  ): Map<string, Occurrence[]> {
    const fields = new Map<string, Occurrence[]>();
    const spread = new Set<string>();
    const add = (selections: readonly SelectionNode[], removed: Requirement | undefined): void => {
      for (const selection of selections) {
        if (!this.included(selection)) continue;
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          const occurrence = { node: selection, removed: removed ?? this.plan.removed.get(selection) };
          const existing = fields.get(key);
          if (existing) existing.push(occurrence);
          else fields.set(key, [occurrence]);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (!selection.typeCondition || this.applies(selection.typeCondition.name.value, type, runtime)) {
            add(selection.selectionSet.selections, removed);
          }
        } else {
          const name = selection.name.value;
          const fragment = this.plan.fragments.get(name);
          if (spread.has(name) || !fragment) continue;
          spread.add(name);
          if (this.applies(fragment.typeCondition.name.value, type, runtime)) add(fragment.selectionSet.selections, removed);
        }
      }
    };
    for (const scope of scopes) add(scope.set.selections, scope.removed);
    return fields;
  }

  /** Whether a fragment on `condition` applies; with the runtime type unknown, only one on the static type does. */
  private applies(condition: string, type: GraphQLCompositeType, runtime: GraphQLObjectType | undefined): boolean {
    if (!runtime) return this.defers === 'follow' || condition === type.name;
    if (condition === runtime.name) return true;
    const conditionType = this.schema.getType(condition);
    return isAbstractType(conditionType) && this.schema.isSubType(conditionType, runtime);
  }

  included(selection: SelectionNode): boolean {
    if (this.defers === 'aside' && selection.kind !== Kind.FIELD && this.deferred(selection.directives)) return false;
    for (const directive of selection.directives ?? []) {
      const name = directive.name.value;
      if (name !== 'skip' && name !== 'include') continue;
      const condition = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
      let value: unknown;
      if (condition?.kind === Kind.BOOLEAN) value = condition.value;
      else if (condition?.kind === Kind.VARIABLE) value = this.variable(condition.name.value);
      if (typeof value !== 'boolean') continue;
      if (name === 'skip' ? value : !value) return false;
    }
    return true;
  }

  /** The label of an active `@defer` among `directives` (`''` for none given); undefined when not deferred. */
  deferred(directives: readonly DirectiveNode[] | undefined): string | undefined {
    const directive = directives?.find((each) => each.name.value === 'defer');
    if (!directive) return undefined;
    const condition = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
    if (condition?.kind === Kind.BOOLEAN && !condition.value) return undefined;
    if (condition?.kind === Kind.VARIABLE && this.variable(condition.name.value) !== true) return undefined;
    const label = directive.arguments?.find((argument) => argument.name.value === 'label')?.value;
    return label?.kind === Kind.STRING ? label.value : '';
  }

  variable(name: string): unknown {
    if (this.variables && name in this.variables) return this.variables[name];
    const definition = this.plan.operation.variableDefinitions?.find((v) => v.variable.name.value === name);
    return definition?.defaultValue?.kind === Kind.BOOLEAN ? definition.defaultValue.value : undefined;
  }
}
