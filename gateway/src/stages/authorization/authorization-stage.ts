import { LRUCache } from 'lru-cache';
import type { Identity } from '#lib/identity.js';
import type { OperationState, Stage } from '#gateway/pipeline/stage.js';
import { authorize, type AuthorizationPolicy, type AuthorizationResult, type ExecutedResponse } from './authorization.js';

/** Distinct decisions kept per policy: by caller (authenticated, scopes), operation name and document text. */
const DECISIONS = 1_000;

type Decision = { result: AuthorizationResult };

/**
 * `@authenticated` and `@requiresScopes` (authorization.ts): what the caller
 * may not see is taken out of the document before it is planned, and comes
 * back as null with an error at its path. An operation whose every root field
 * is taken out is answered without running. The policy is the served
 * supergraph's: a reloaded supergraph starts with no decisions.
 */
export function authorizationStage(): Stage {
  const decisions = new WeakMap<AuthorizationPolicy, LRUCache<string, Decision>>();
  // The operations that ran filtered, and how to put the taken-out fields back as nulls with their errors.
  const filtered = new WeakMap<OperationState, Extract<AuthorizationResult, { kind: 'filtered' }>>();

  function decide(policy: AuthorizationPolicy, operation: OperationState, identity: Identity | null): AuthorizationResult {
    let cache = decisions.get(policy);
    if (!cache) decisions.set(policy, (cache = new LRUCache({ max: DECISIONS })));
    const scopes = identity ? [...identity.scopes].sort().join(' ') : '';
    const operationName = operation.sent.operationName;
    const key = `${identity ? 1 : 0}\u0000${scopes}\u0000${operationName ?? ''}\u0000${operation.query}`;
    let decision = cache.get(key);
    if (!decision) {
      decision = {
        result: authorize(policy, operation.document!, operationName, { authenticated: identity !== null, scopes: identity?.scopes ?? [] }),
      };
      cache.set(key, decision);
    }
    return decision.result;
  }

  return {
    name: 'authorization',
    onOperation(operation) {
      if (!operation.document) throw new Error('The authorization stage needs a parsed document: put it after the stage that parses (limits).');
      const result = decide(operation.served.policy, operation, operation.request.identity);
      if (result.kind === 'denied') return { status: 200, errors: result.result.errors ?? [], data: result.result.data };
      if (result.kind === 'filtered') {
        // The filtered document is what runs, so its plan is kept under its own text.
        operation.document = result.document;
        operation.query = result.text;
        filtered.set(operation, result);
      }
      return undefined;
    },
    onAnswer(operation, answer) {
      const result = filtered.get(operation);
      if (!result) return undefined;
      // Unauthorized fields come back as null with their errors; @skip/@include depend on the variables.
      const data = answer.data;
      const executed: ExecutedResponse = { ...(data === undefined ? {} : { data }), ...(answer.errors ? { errors: answer.errors } : {}) };
      return result.apply(executed, operation.sent.variables ?? {}, answer.part);
    },
  };
}
