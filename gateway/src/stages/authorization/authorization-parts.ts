import { type GraphQLFormattedError, type GraphQLField, type GraphQLFieldMap, type GraphQLNamedType, getNamedType, isCompositeType, isInterfaceType, isObjectType, Kind, type GraphQLCompositeType, type SelectionSetNode } from 'graphql';
import type { AnswerPart } from '#gateway/pipeline/stage.js';
import type { FilteredOperation } from './authorization-filter.js';
import { PROPAGATE, ResponseWalker, type AuthorizedResponse, type Denial, type ExecutedResponse, type Occurrence, type Scope, type Variables } from './authorization-response.js';

/**
 * A deferred part of an answer (`@defer`) authorized as the whole answer
 * would be at its place: the part's data is the object at its path, walked
 * from the selections of its fragment in the operation as sent.
 */
export function authorizePart(
  plan: FilteredOperation,
  result: ExecutedResponse,
  denial: Denial,
  variables: Variables,
  part: Exclude<AnswerPart, 'initial'>,
): AuthorizedResponse {
  if (!result.data) return result as AuthorizedResponse;
  const start = deferredScopes(new ResponseWalker(plan, denial, variables, [], 'follow'), plan, part);
  // A fragment the operation as sent does not have at that path (it cannot be): passed through as it is.
  if (!start) return result as AuthorizedResponse;
  const errors: GraphQLFormattedError[] = [];
  const walker = new ResponseWalker(plan, denial, variables, errors, 'aside');
  const data = walker.object(start.scopes, start.type, walker.runtimeType(start.type, result.data), result.data, [...part.path]);
  const all = [...(result.errors ?? []), ...errors];
  return { data: data === PROPAGATE ? null : data, ...(all.length > 0 ? { errors: all } : {}) };
}

/**
 * Where a deferred part of an answer starts in the operation as sent: the
 * selections of the `@defer` fragments with its label found at its path
 * (unlabelled ones together, for a part without a label), and their type.
 * `walker` follows the path through every fragment, deferred or not.
 */
export function deferredScopes(
  walker: ResponseWalker,
  plan: FilteredOperation,
  part: Exclude<AnswerPart, 'initial'>,
): { scopes: Scope[]; type: GraphQLCompositeType } | undefined {
  let scopes: Scope[] = [{ set: plan.operation.selectionSet, removed: undefined }];
  let type: GraphQLCompositeType = plan.rootType;
  for (const step of part.path) {
    if (typeof step === 'number') continue;
    const occurrences: Occurrence[] | undefined = walker.collect(scopes, type, undefined).get(step);
    const fields: GraphQLFieldMap<unknown, unknown> | undefined = isObjectType(type) || isInterfaceType(type) ? type.getFields() : undefined;
    const definition: GraphQLField<unknown, unknown> | undefined = occurrences && fields ? fields[occurrences[0]!.node.name.value] : undefined;
    const named: GraphQLNamedType | undefined = definition ? getNamedType(definition.type) : undefined;
    if (!occurrences || !named || !isCompositeType(named)) return undefined;
    scopes = occurrences.flatMap(({ node, removed }) => (node.selectionSet ? [{ set: node.selectionSet, removed }] : []));
    type = named;
  }
  const label = part.label ?? '';
  const found: Scope[] = [];
  let condition: GraphQLCompositeType | undefined;
  const spread = new Set<string>();
  const search = (set: SelectionSetNode, removed: Scope['removed']): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD || !walker.included(selection)) continue;
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? plan.fragments.get(selection.name.value) : selection;
      if (!fragment || (selection.kind === Kind.FRAGMENT_SPREAD && spread.has(selection.name.value))) continue;
      if (selection.kind === Kind.FRAGMENT_SPREAD) spread.add(selection.name.value);
      if (walker.deferred(selection.directives) === label) {
        found.push({ set: fragment.selectionSet, removed });
        const on = fragment.typeCondition ? plan.schema.getType(fragment.typeCondition.name.value) : undefined;
        if (on && isCompositeType(on)) condition ??= on;
      } else search(fragment.selectionSet, removed);
    }
  };
  for (const scope of scopes) search(scope.set, scope.removed);
  return found.length > 0 ? { scopes: found, type: condition ?? type } : undefined;
}
