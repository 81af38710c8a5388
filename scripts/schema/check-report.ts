import type { OperationProblem, OperationRef } from './operation-usage.js';
import type { CheckedChange, CheckReport } from './schema-check.js';
import { SEVERITIES, type Severity } from './schema-change.js';

/** The check's report for a terminal: grouped by severity, each change with the operations using it. */
const HEADINGS: Record<Severity, string> = { breaking: 'Breaking', dangerous: 'Dangerous', safe: 'Safe' };

export const operationLabel = (operation: OperationRef) => `${operation.client}: ${operation.name || operation.id}`;

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function users(usedBy: readonly OperationRef[]): string {
  return usedBy.length === 0 ? 'no registered operation uses it' : `used by ${usedBy.map(operationLabel).join(', ')}`;
}

function changeLines(found: CheckedChange): string[] {
  const mark = found.fails ? '✗' : found.severity === 'breaking' ? '!' : found.severity === 'dangerous' ? '~' : '+';
  const lines = [`  ${mark} ${found.message} [${found.type}]`];
  // Safe changes cannot hurt anyone: who uses them is noise.
  if (found.severity !== 'safe') lines.push(`      ${users(found.usedBy)}`);
  return lines;
}

function problemLines(title: string, problems: readonly OperationProblem[]): string[] {
  if (problems.length === 0) return [];
  const lines = ['', `${title} (${problems.length})`];
  for (const problem of problems) lines.push(`  ✗ ${operationLabel(problem)}: ${problem.errors.join(' ')}`);
  return lines;
}

function verdict(report: CheckReport): string {
  const { summary, brokenOperations } = report;
  if (!report.passed) {
    const reasons = [
      ...(summary.failing > 0 ? [`${plural(summary.failing, 'breaking change')} used by registered operations`] : []),
      ...(brokenOperations.length > 0 ? [`${plural(brokenOperations.length, 'registered operation')} no longer valid`] : []),
    ];
    return `Failed: ${reasons.join('; ')}.`;
  }
  if (summary.breaking > 0) return `Passed, with a warning: ${plural(summary.breaking, 'breaking change')} no registered operation uses.`;
  return report.changes.length === 0 ? 'Passed: no changes.' : 'Passed: no breaking changes.';
}

export function formatCheckReport(report: CheckReport): string {
  const lines = [`Schema check against ${report.against}, with ${plural(report.summary.operations, 'registered operation')}.`];
  for (const severity of SEVERITIES) {
    const changes = report.changes.filter((found) => found.severity === severity);
    if (changes.length === 0) continue;
    lines.push('', `${HEADINGS[severity]} (${changes.length})`, ...changes.flatMap(changeLines));
  }
  if (report.changes.length === 0) lines.push('', 'No changes.');
  if (report.deprecations.length > 0) {
    lines.push('', `Deprecated (${report.deprecations.length})`);
    for (const deprecation of report.deprecations) {
      const removable = deprecation.usedBy.length === 0 ? ': unused, can be removed' : `: ${users(deprecation.usedBy)}`;
      lines.push(`  - ${deprecation.coordinate} (${deprecation.reason})${removable}`);
    }
  }
  lines.push(...problemLines('Registered operations the change breaks', report.brokenOperations));
  lines.push(...problemLines('Registered operations already invalid against the published schema', report.invalidOperations));
  lines.push('', verdict(report));
  return `${lines.join('\n')}\n`;
}
