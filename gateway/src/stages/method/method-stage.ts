import { refusal, type Stage } from '#gateway/pipeline/stage.js';

/** GraphQL over HTTP: a GET may only run a query; anything else must be sent with POST. */
export function methodStage(): Stage {
  return {
    name: 'method',
    onOperation({ method, operation }) {
      if (method !== 'GET' || !operation || operation.operation === 'query') return undefined;
      return refusal(405, 'METHOD_NOT_ALLOWED', `A ${operation.operation} must be sent with POST.`, { headers: { allow: 'POST' } });
    },
  };
}
