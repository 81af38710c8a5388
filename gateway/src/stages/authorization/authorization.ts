import { GraphQLError, Kind, print, type DocumentNode, type SelectionSetNode } from 'graphql';
import { ErrorCode } from '#lib/errors.js';
import { filterOperation, type FilteredOperation } from './authorization-filter.js';
import { satisfies, type AuthorizationPolicy, type Requirement } from './authorization-policy.js';
import {
  authorizeResponse,
  UNAUTHORIZED_MESSAGE,
  type AuthorizedResponse,
  type ExecutedResponse,
  type UnauthorizedCode,
} from './authorization-response.js';

export { authorizationPolicy, supergraphForGateway, type AuthorizationPolicy, type Requirement } from './authorization-policy.js';
export { MAX_AUTHORIZATION_ERRORS, UNAUTHORIZED_MESSAGE, type AuthorizedResponse, type ExecutedResponse } from './authorization-response.js';
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
      apply(result: ExecutedResponse, variables?: Readonly<Record<string, unknown>>): AuthorizedResponse;
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
  const verdicts = new Map<Requirement, boolean>();
  const isDenied = (requirement: Requirement): boolean => {
    let denied = verdicts.get(requirement);
    if (denied === undefined) {
      scopes ??= new Set(caller.scopes);
      denied = !satisfies(requirement, caller.authenticated, scopes);
      verdicts.set(requirement, denied);
    }
    return denied;
  };
  const plan = filterOperation(policy, document, operationName, isDenied);
  if (!plan) return ALLOWED;

  const code: UnauthorizedCode = caller.authenticated ? ErrorCode.FORBIDDEN : ErrorCode.UNAUTHENTICATED;
  const errors = unauthorizedPaths(plan).map(
    (path) => new GraphQLError(UNAUTHORIZED_MESSAGE, { path, extensions: { code } }),
  );
  if (!plan.document) {
    // The answer execution would give with every root field unauthorized.
    // Frozen: a cached result is shared by every request that gets it.
    return { kind: 'denied', errors, result: deepFreeze(authorizeResponse(plan, { data: {} }, code)) };
  }
  const filtered = plan.document;
  return {
    kind: 'filtered',
    document: filtered,
    text: print(filtered),
    errors,
    apply: (result, variables) => authorizeResponse(plan, result, code, variables),
  };
}

/** Where the removed fields sit in the operation, by response keys, each path once. */
function unauthorizedPaths(plan: FilteredOperation): string[][] {
  const paths = new Map<string, string[]>();
  const walk = (set: SelectionSetNode, path: string[], within: ReadonlySet<string>): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const here = [...path, selection.alias?.value ?? selection.name.value];
        if (plan.removed.has(selection)) paths.set(JSON.stringify(here), here);
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
