import type { GatewaySettings } from '#lib/env.js';
import type { Identity } from '#lib/identity.js';
import { refusal, type Stage } from '#gateway/pipeline/stage.js';
import { withoutSchemaHints, writtenNames } from './schema-hints.js';

/**
 * INTROSPECTION=true lets anyone introspect, false nobody (the executor's
 * validation refuses it then, for every caller); unset, only callers with
 * INTROSPECTION_SCOPE may. A caller who may not introspect gets no schema in
 * error messages either: validation and variable messages name only what
 * their document wrote (schema-hints.ts). The executor keeps one validation
 * per document for every caller, so the rewrite is made per caller, here,
 * after it ran.
 */
export function introspectionStage({ allowed, scope }: GatewaySettings['introspection']): Stage {
  const mayIntrospect = (identity: Identity | null) => allowed === true || (allowed === undefined && identity?.scopes.includes(scope) === true);
  return {
    name: 'introspection',
    onOperation({ introspection, request: { identity } }) {
      if (!introspection || allowed !== undefined || mayIntrospect(identity)) return undefined;
      return identity
        ? refusal(403, 'FORBIDDEN', `Introspection needs the "${scope}" scope.`)
        : refusal(401, 'UNAUTHENTICATED', `Introspection needs a signed-in caller with the "${scope}" scope.`);
    },
    onAnswer(operation, answer) {
      if (!answer.errors || mayIntrospect(operation.request.identity)) return undefined;
      const errors = withoutSchemaHints(answer.errors, () => writtenNames(operation.document));
      if (errors === answer.errors) return undefined;
      // Only the errors change: the data, if any, is parsed only if a later stage reads it.
      return {
        get data() {
          return answer.data;
        },
        errors,
      };
    },
  };
}
