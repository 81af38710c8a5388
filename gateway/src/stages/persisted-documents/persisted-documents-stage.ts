import { refusalOf, type Stage } from '#gateway/pipeline/stage.js';
import type { PersistedDocuments } from './persisted-documents.js';

/** "Not found, send the query" must never be cached by a CDN in front of GET requests. */
const NOT_CACHED = { 'cache-control': 'private, no-cache, must-revalidate' } as const;

/**
 * Which document an operation names: its text, an automatic persisted query's
 * hash (APQ), or a trusted document's id; and, per client, whether freeform
 * text is allowed at all (persisted-documents.ts).
 */
export function persistedDocumentsStage(persisted: PersistedDocuments): Stage {
  return {
    name: 'persisted-documents',
    async onOperation(operation) {
      const { identity, req } = operation.request;
      const header = req.headers['apollographql-client-name'];
      const client = identity?.client
        ? { name: identity.client, trusted: true }
        : { name: typeof header === 'string' && header ? header : undefined, trusted: false };
      const resolved = await persisted.resolve(operation.sent, client);
      if (!resolved.ok) return refusalOf(resolved.status, [resolved.error], NOT_CACHED);
      operation.query = resolved.query;
      return undefined;
    },
  };
}
