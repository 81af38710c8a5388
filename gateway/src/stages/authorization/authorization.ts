import { GraphQLError, Kind, print, type DocumentNode, type SelectionSetNode } from 'graphql';
import { ErrorCode } from '#lib/errors.js';
import type { AnswerPart } from '#gateway/pipeline/stage.js';
import { filterOperation, type FilteredOperation } from './authorization-filter.js';
import { unauthorizedMessage } from './authorization-message.js';
import { satisfies, type AuthorizationPolicy, type Requirement } from './authorization-policy.js';
import { authorizePart } from './authorization-parts.js';
import { authorizeResponse, type AuthorizedResponse, type Denial, type ExecutedResponse } from './authorization-response.js';

export { authorizationPolicy, supergraphForGateway, type AuthorizationPolicy, type Requirement } from './authorization-policy.js';
export { MAX_AUTHORIZATION_ERRORS, type AuthorizedResponse, type ExecutedResponse } from './authorization-response.js';
export { UNAUTHORIZED_MESSAGE, unauthorizedMessage } from './authorization-message.js';
export { TYPENAME_ALIAS } from './authorization-filter.js';

/** Who is asking: whether a credential was verified, and the scopes it grants. */
export type Caller = { authenticated: boolean; scopes: readonly string[] };

export type AuthorizationResult =
  /** Nothing to take out: run the operation as sent. */
  | { kind: 'allowed' }
  /**
   * Some selections taken out. Execute `document` (printed: `text`) instead of
   * the operation as sent, then pass the result through `apply`.
   */
  | {
      kind: 'filtered';
      document: DocumentNode;
      text: string;
      /** One per selection taken out, its path in response keys (list positions are unknown before execution). */
      errors: readonly GraphQLError[];
      /** `part`: which part of an answer delivered in parts (`@defer`) `result` is. */
      apply(result: ExecutedResponse, variables?: Readonly<Record<string, unknown>>, part?: AnswerPart): AuthorizedResponse;
    }
  /** Every root field taken out: do not execute; answer `result` (frozen: copy it to change it). */
  | { kind: 'denied'; errors: readonly GraphQLError[]; result: AuthorizedResponse };

const ALLOWED: AuthorizationResult = Object.freeze({ kind: 'allowed' });

/**
 * Enforces `@authenticated` and `@requiresScopes` the way Apollo Router does:
 * selections the caller may not make are taken out of the operation before it
 * is planned, so no subgraph is ever asked for them, and the response gets
 * null and an error in their place (UNAUTHENTICATED for an anonymous caller,
 * FORBIDDEN for one lacking scopes).
 *
 * Run it on a validated document. The result depends only on the document,
 * `operationName` and the caller's authentication and scopes, so it can be
 * cached on those. A caller executing the filtered document must key anything
 * it caches per document (the gateway's query plans: `queryHash`) on `text`,
 * not on the document as sent.
 */
export function authorize(
  policy: AuthorizationPolicy,
  document: DocumentNode,
  operationName: string | null | undefined,
  caller: Caller,
): AuthorizationResult {
  if (policy.requirements.size === 0) return ALLOWED;
  let scopes: ReadonlySet<string> | undefined;
  const held = () => (scopes ??= new Set(caller.scopes));
  const verdicts = new Map<Requirement, boolean>();
  const isDenied = (requirement: Requirement): boolean => {
    let denied = verdicts.get(requirement);
    if (denied === undefined) {
      denied = !satisfies(requirement, caller.authenticated, held());
      verdicts.set(requirement, denied);
    }
    return denied;
  };
  const plan = filterOperation(policy, document, operationName, isDenied);
  if (!plan) return ALLOWED;

  // One message per requirement the caller misses, made once: the result is cached per caller and operation.
  const messages = new Map<Requirement, string>();
  const denial: Denial = {
    code: caller.authenticated ? ErrorCode.FORBIDDEN : ErrorCode.UNAUTHENTICATED,
    message(requirement) {
      let message = messages.get(requirement);
      if (message === undefined) messages.set(requirement, (message = unauthorizedMessage(requirement, caller.authenticated, held())));
      return message;
    },
  };
  const errors = unauthorizedPaths(plan).map(
    ([path, requirement]) => new GraphQLError(denial.message(requirement), { path, extensions: { code: denial.code } }),
  );
  if (!plan.document) {
    // The answer execution would give with every root field unauthorized.
    // Frozen: a cached result is shared by every request that gets it.
    return { kind: 'denied', errors, result: deepFreeze(authorizeResponse(plan, { data: {} }, denial)) };
  }
  const filtered = plan.document;
  return {
    kind: 'filtered',
    document: filtered,
    text: print(filtered),
    errors,
    apply: (result, variables, part) =>
      part === undefined || part === 'initial' ? authorizeResponse(plan, result, denial, variables, part) : authorizePart(plan, result, denial, variables, part),
  };
}

/** Where the removed fields sit in the operation, by response keys, each path once, with what took each out. */
function unauthorizedPaths(plan: FilteredOperation): [string[], Requirement][] {
  const paths = new Map<string, [string[], Requirement]>();
  const walk = (set: SelectionSetNode, path: string[], within: ReadonlySet<string>): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const here = [...path, selection.alias?.value ?? selection.name.value];
        const removed = plan.removed.get(selection);
        const key = removed && JSON.stringify(here);
        // The first occurrence names the requirement, as in the response (authorization-response.ts).
        if (key && !paths.has(key)) paths.set(key, [here, removed]);
        else if (selection.selectionSet && plan.touched.has(selection)) walk(selection.selectionSet, here, within);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, path, within);
      } else {
        const fragment = plan.fragments.get(selection.name.value);
        if (fragment && !within.has(fragment.name.value)) {
          walk(fragment.selectionSet, path, new Set([...within, fragment.name.value]));
        }
      }
    }
  };
  walk(plan.operation.selectionSet, [], new Set());
  return [...paths.values()];
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
