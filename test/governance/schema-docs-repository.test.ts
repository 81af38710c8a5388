import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, Kind, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '#lib/env.js';
import { loadTrustedDocuments } from '#gateway/stages/persisted-documents/persisted-documents.js';
import { readChangelog } from '../../scripts/schema/changelog.js';
import { readContractSchemas } from '../../scripts/schema/contract-schemas.js';
import { readExampleVariables } from '../../scripts/schema/docs-operations.js';
import { docsSettings } from '../../scripts/schema/docs-settings.js';
import { buildDocsSite } from '../../scripts/schema/docs-site.js';
import { readPublished } from '../../scripts/schema/published-schema.js';
import { schemaCoordinates } from '../../scripts/schema/schema-coordinates.js';
import { expectEveryElementDescribed, expectSelfContained } from '../support/docs-expectations.js';
import { pagesOf, siteIdsOf, textOf } from '../support/docs-pages.js';
import { root } from '../support/schema-workspace.js';

/**
 * The partners' docs of the repository's published schema, written by
 * `npm run schema:docs`: the same files the docs site builds (with the
 * settings of this environment, which the command reads too), self-contained,
 * every element described, every change in the changelog, every registered
 * operation on its site's Getting started page with its stored example.
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
    const documents = join(root, 'trusted-documents');
    const [contracts, history, trusted, examples] = await Promise.all([
      readContractSchemas(root),
      readChangelog(join(root, 'schema', 'published')),
      loadTrustedDocuments(documents),
      readExampleVariables(documents),
    ]);
    const settings = docsSettings(loadEnv());
    const expected = buildDocsSite({ version: published, source: 'published', contracts, changelog: history, settings, registered: { documents: trusted, examples } });
    expect(expected.warnings).toEqual([]);
    const written = await readdir(out, { recursive: true });
    expect(written).toEqual(expect.arrayContaining(['index.html', 'getting-started.html', 'search-index.js', 'types/Product.html', 'changelog.html']));
    for (const { path, content } of expected.files) expect(await readFile(join(out, path), 'utf8'), path).toBe(content);
    expectSelfContained(expected.files);

    const pages = pagesOf(expected.files);
    const schema = buildSchema(published.apiSdl);
    expect(siteIdsOf(pages)).toEqual(schemaCoordinates(schema));
    expectEveryElementDescribed(pages, schema);

    // Each client's operations on its site: the partner contract's client, and web on the full API; each that takes variables with stored examples.
    for (const [client, site] of [['partner', 'partner/'], ['web', '']] as const) {
      const gettingStarted = pages.get(`${site}getting-started.html`) ?? '';
      for (const operation of trusted.get(client)?.byId.values() ?? []) {
        expect(gettingStarted, `${client}'s ${operation.name}`).toContain(`id="operation-${client}.${operation.name}"`);
        const takesVariables = parse(operation.body).definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION && (definition.variableDefinitions ?? []).length > 0);
        expect(examples.get(client)?.has(operation.name), `${client}'s ${operation.name} has example variables`).toBe(takesVariables);
      }
    }
    const changelogPage = textOf(await readFile(join(out, 'changelog.html'), 'utf8'));
    for (const entry of history.entries) {
      expect(changelogPage).toContain(entry.publishedAt.slice(0, 10));
      for (const change of entry.changes) expect(changelogPage).toContain(change.message);
    }
  });
});
