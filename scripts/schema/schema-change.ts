/**
 * One difference between the published schema and the new one. Severities:
 * - breaking: an operation that worked may now fail (a field or enum value removed,
 *   an argument made required…);
 * - dangerous: operations still validate, but may behave differently (an enum value
 *   added, a default changed, a field now resolved by another subgraph…);
 * - safe: nothing a client does can notice, except by using it (a field added…).
 */
export type Severity = 'breaking' | 'dangerous' | 'safe';

export const SEVERITIES: readonly Severity[] = ['breaking', 'dangerous', 'safe'];

/** Stands for every registered operation, when a change cannot be pinned to a coordinate. */
export const EVERY_OPERATION = '*';

export type SchemaChange = {
  severity: Severity;
  /** graphql-js's change type (FIELD_REMOVED…) or Junction's own (FIELD_ADDED, KEY_CHANGED…). */
  type: string;
  /** What changed, as a schema coordinate: `Product`, `Product.price`, `Query.users(first:)`, `Color.RED`, `@skip`. */
  coordinate: string;
  message: string;
  /** The coordinates an operation must use to be affected (one is enough); see operation-usage.ts. */
  affects: string[];
};

export function change(
  severity: Severity,
  type: string,
  coordinate: string,
  message: string,
  affects: string[] = [coordinate],
): SchemaChange {
  return { severity, type, coordinate, message, affects };
}
