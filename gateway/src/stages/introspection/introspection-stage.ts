import type { GatewaySettings } from '#lib/env.js';
import { refusal, type Stage } from '#gateway/pipeline/stage.js';

/**
 * INTROSPECTION=true lets anyone introspect, false nobody (the executor's
 * validation refuses it then, for every caller); unset, only callers with
 * INTROSPECTION_SCOPE may.
 */
export function introspectionStage({ allowed, scope }: GatewaySettings['introspection']): Stage {
  return {
    name: 'introspection',
    onOperation({ introspection, request: { identity } }) {
      if (!introspection || allowed !== undefined || identity?.scopes.includes(scope)) return undefined;
      return identity
        ? refusal(403, 'FORBIDDEN', `Introspection needs the "${scope}" scope.`)
        : refusal(401, 'UNAUTHENTICATED', `Introspection needs a signed-in caller with the "${scope}" scope.`);
    },
  };
}
