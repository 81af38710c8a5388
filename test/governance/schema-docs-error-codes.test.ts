import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '#lib/errors.js';
import { errorCodes } from '../../scripts/schema/docs-error-codes.js';
import { settingsFor } from '../support/docs-catalogue.js';
import { root } from '../support/schema-workspace.js';

/**
 * The Getting started pages list every code the gateway can answer with. The
 * codes are found where the code gives them: lib/errors.ts's ErrorCode, and
 * every refusal, failure or error the gateway, lib/ and the subgraphs word
 * with a literal code (a stage's `refusal(429, 'RATE_LIMITED', …)`, the HTTP
 * layer's `refuse(…)`, an executor's `extensions: { code: '…' }`). A new code
 * without its line in scripts/schema/docs-error-codes.ts fails here, and so
 * does a documented code nothing answers any more.
 */
const SOURCES = ['gateway/src', 'lib', 'subgraphs'];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.parentPath.includes('__generated__') && !entry.parentPath.includes('node_modules'))
    .map((entry) => join(entry.parentPath, entry.name));
}

const CODE = "'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,})'";
/** Where a literal code is given to a client: each pattern's first group is the code. */
const PATTERNS = [
  // refusal(429, 'RATE_LIMITED', …), refuse(400, …), failure(…), sendError(res, 404, …), errorBody(requestId, …)
  new RegExp(`\\b(?:refusal|refuse|failure|sendError|errorBody)\\(\\s*(?:[a-z][A-Za-z]*,\\s*)?(?:\\d{3},\\s*)?${CODE}`, 'g'),
  // extensions: { code: 'QUERY_PLAN_EMPTY' }, and a result's `code: '…'` a stage refuses with
  new RegExp(`\\bcode: ${CODE}`, 'g'),
  // withCode(error, 'BAD_USER_INPUT')
  new RegExp(`\\bwithCode\\([^,()]+,\\s*${CODE}\\)`, 'g'),
  // ErrorCode.FORBIDDEN
  /\bErrorCode\.([A-Z][A-Z0-9_]+)/g,
];

async function answeredCodes(): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const file of (await Promise.all(SOURCES.map(sourceFiles))).flat()) {
    const source = await readFile(file, 'utf8');
    for (const pattern of PATTERNS) {
      for (const [, code = ''] of source.matchAll(pattern)) found.set(code, [...(found.get(code) ?? []), relative(root, file)]);
    }
  }
  return found;
}

describe('the error codes the Getting started pages list', () => {
  it('are every code the gateway, lib/ and the subgraphs answer with, and no other', async () => {
    const answered = await answeredCodes();
    const documented = Object.keys(errorCodes(settingsFor()));
    // The scan finds what it must: codes of each kind of source.
    expect([...answered.keys()]).toEqual(
      expect.arrayContaining(['RATE_LIMITED', 'COST_ESTIMATED_TOO_EXPENSIVE', 'PERSISTED_QUERY_NOT_FOUND', 'DOWNSTREAM_SERVICE_ERROR', 'RESPONSE_TOO_LARGE', 'BODY_TIMEOUT', 'QUERY_PLAN_EMPTY']),
    );
    const undocumented = [...answered].filter(([code]) => !documented.includes(code)).map(([code, files]) => `${code} (${[...new Set(files)].join(', ')})`);
    expect(undocumented, 'codes answered but not in scripts/schema/docs-error-codes.ts').toEqual([]);
    expect(documented.filter((code) => !answered.has(code)), 'codes documented but answered nowhere').toEqual([]);
    expect(documented).toEqual(expect.arrayContaining(Object.values(ErrorCode)));
  });
});
