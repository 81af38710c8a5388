import { refusalOf, type Stage } from '#gateway/pipeline/stage.js';
import { isRefusal, type CheckedDocument, type Refusal } from './document-checker.js';

/**
 * Parses the document and checks it against the limits (tokens, depth,
 * aliases, root fields, directives, fields, field pairs) before any
 * validation, then picks the operation to run. The stage that parses: later
 * stages read `document`, `operation` and `introspection`.
 */
export function limitsStage(checkDocument: (query: string, operationName?: string | null) => CheckedDocument | Refusal): Stage {
  return {
    name: 'limits',
    onOperation(operation) {
      // Without a document (no query, no persisted one), the checker refuses the empty text as graphql-js would.
      const checked = checkDocument(operation.query ?? '', operation.sent.operationName);
      if (isRefusal(checked)) return refusalOf(checked.status, checked.errors);
      operation.document = checked.document;
      operation.operation = checked.operation;
      operation.introspection = checked.introspection;
      return undefined;
    },
  };
}
