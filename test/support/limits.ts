import { expect } from 'vitest';
import {
  checkDocument,
  DEFAULT_LIMITS,
  isRefusal,
  type CheckedDocument,
  type Limits,
  type Refusal,
} from '#gateway/stages/limits/document-checker.js';

/** Checking documents against the gateway's limits, and the documents that attack them. */
export function check(query: string, operationName?: string | null, limits: Limits = DEFAULT_LIMITS): CheckedDocument | Refusal {
  return checkDocument(query, operationName, limits);
}

export function passed(result: CheckedDocument | Refusal): CheckedDocument {
  if (isRefusal(result)) throw new Error(`refused: ${result.errors.map((error) => error.message).join(' | ')}`);
  return result;
}

/** The refusal's errors as plain data, for exact assertions. */
export function refused(result: CheckedDocument | Refusal): { message: string; code: unknown; limit?: unknown }[] {
  if (!isRefusal(result)) throw new Error(`passed: ${result.operation.name?.value ?? 'anonymous operation'}`);
  expect(result.status).toBe(400);
  return result.errors.map(({ message, extensions }) => ({
    message,
    code: extensions.code,
    ...(extensions.limit === undefined ? {} : { limit: extensions.limit }),
  }));
}

/** `{ a { a { ... b } } }`: `levels` levels of fields. */
export const nested = (levels: number): string => '{ ' + 'a { '.repeat(levels - 1) + 'b' + ' }'.repeat(levels - 1) + ' }';

/** `fragment F0 ... { ...F1 ...F1 }`, ..., each level doubling what the one above selects. */
export function fragmentBomb(levels: number): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  return `{ ...F0 }\n${fragments.join('\n')}\nfragment F${levels} on Query { x: a }`;
}
