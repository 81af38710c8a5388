import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChangelog } from '../../scripts/schema/changelog.js';
import { readContractSchemas } from '../../scripts/schema/contract-schemas.js';
import { buildDocsSite } from '../../scripts/schema/docs-site.js';
import { readPublished } from '../../scripts/schema/published-schema.js';
import { schemaCoordinates } from '../../scripts/schema/schema-coordinates.js';
import { expectEveryElementDescribed, expectSelfContained } from '../support/docs-expectations.js';
import { idsOf, textOf } from '../support/docs-pages.js';
import { root } from '../support/schema-workspace.js';

/**
 * The partners' docs of the repository's published schema, written by
 * `npm run schema:docs`: the same pages the docs site builds, self-contained,
 * every element described, every change in the changelog.
 */
describe('npm run schema:docs on the repository', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'junction-docs-out-'));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('writes the reference of the published schema and its changelog', async () => {
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('npx', ['tsx', 'scripts/schema-docs.ts', '--out', out], { cwd: root }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(run.stderr.replace(/^npm warn .*\n/gm, '')).toBe('');
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining(`pages to ${out}: open ${join(out, 'index.html')}.`) });

    const published = await readPublished(join(root, 'schema', 'published'));
    if (!published) throw new Error('nothing is published in the repository');
    const [contracts, history] = await Promise.all([readContractSchemas(root), readChangelog(join(root, 'schema', 'published'))]);
    const expected = buildDocsSite({ version: published, source: 'published', contracts, changelog: history });
    const written = await readdir(out, { recursive: true });
    expect(written).toEqual(expect.arrayContaining(['index.html', 'changelog.html']));
    for (const { path, html } of expected) expect(await readFile(join(out, path), 'utf8'), path).toBe(html);
    expectSelfContained(expected);

    const index = await readFile(join(out, 'index.html'), 'utf8');
    const schema = buildSchema(published.apiSdl);
    expect(idsOf(index)).toEqual(schemaCoordinates(schema));
    expectEveryElementDescribed(index, schema);
    const changelogPage = textOf(await readFile(join(out, 'changelog.html'), 'utf8'));
    for (const entry of history.entries) {
      expect(changelogPage).toContain(entry.publishedAt.slice(0, 10));
      for (const change of entry.changes) expect(changelogPage).toContain(change.message);
    }
  });
});
