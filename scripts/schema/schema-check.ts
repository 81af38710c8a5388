import type { TrustedDocuments } from '#gateway/stages/persisted-documents/persisted-documents.js';
import { buildApiSchema, type SchemaVersion } from './api-schema.js';
import { listDeprecations, type Deprecation } from './deprecations.js';
import { indexOperationUsage, type OperationProblem, type OperationRef } from './operation-usage.js';
import { findSchemaChanges, type SchemaChange } from './schema-changes.js';

export type CheckedChange = SchemaChange & {
  /** Registered operations that use what changed. */
  usedBy: OperationRef[];
  /** A breaking change that a registered operation uses: the check fails. */
  fails: boolean;
};

export type CheckReport = {
  /** What the schema was compared with: a directory, or `git:<ref>`. */
  against: string;
  passed: boolean;
  summary: { breaking: number; dangerous: number; safe: number; failing: number; deprecated: number; operations: number };
  changes: CheckedChange[];
  /** Every `@deprecated` element of the new API schema, with the operations still using it. */
  deprecations: (Deprecation & { usedBy: OperationRef[] })[];
  /** Registered operations valid against the published schema and not against the new one: these fail the check too. */
  brokenOperations: OperationProblem[];
  /** Registered operations already invalid against the published schema: reported, not failing. */
  invalidOperations: OperationProblem[];
};

export type CheckInput = { published: SchemaVersion; proposed: SchemaVersion; documents: TrustedDocuments; against: string };

/**
 * Compares the proposed supergraph with the published one, operation-aware:
 * a breaking change fails only when a registered operation uses it. As a
 * backstop for what coordinates cannot tell, every registered operation is
 * also validated against both schemas; one that stops validating fails.
 */
export function checkSchema({ published, proposed, documents, against }: CheckInput): CheckReport {
  const [before, after] = [buildApiSchema(published), buildApiSchema(proposed)];
  const usage = indexOperationUsage(documents, [before, after]);
  const changes = findSchemaChanges(published, proposed).map((found) => {
    const usedBy = usage.usersOf(found.affects);
    return { ...found, usedBy, fails: found.severity === 'breaking' && usedBy.length > 0 };
  });
  const deprecations = listDeprecations(after).map((deprecation) => ({
    ...deprecation,
    usedBy: usage.usersOf([deprecation.coordinate]),
  }));
  const brokenOperations = usage.brokenBetween(before, after);
  const invalidOperations = usage.invalidAgainst(before);
  const count = (severity: SchemaChange['severity']) => changes.filter((found) => found.severity === severity).length;
  const failing = changes.filter((found) => found.fails).length;
  return {
    against,
    passed: failing === 0 && brokenOperations.length === 0,
    summary: {
      breaking: count('breaking'),
      dangerous: count('dangerous'),
      safe: count('safe'),
      failing,
      deprecated: deprecations.length,
      operations: usage.operations.length,
    },
    changes,
    deprecations,
    brokenOperations,
    invalidOperations,
  };
}
