import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchemaWorkspace, root, type SchemaWorkspace } from '../support/schema-workspace.js';

/** The real scripts, as CI and a shell run them: exit codes, JSON, and publishing. */
type Run = { code: number; stdout: string; stderr: string };

function run(script: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let workspace: SchemaWorkspace;
beforeAll(async () => {
  workspace = await createSchemaWorkspace();
});
afterAll(async () => {
  await workspace.remove();
});

describe('npm run schema:check', () => {
  it('exits 1 with a JSON report when a registered operation uses a breaking change', async () => {
    await workspace.edit('reviews', (sdl) => sdl.replace(/ {2}"The reviewer's rating, from 1 \(poor\) to 5 \(excellent\)\."\n {2}rating: Int!.*\n/, ''));

    const { code, stdout } = await run('scripts/schema-check.ts', ['--config', workspace.config, '--json']);

    expect(code).toBe(1);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['against', 'passed', 'summary', 'changes', 'deprecations', 'brokenOperations', 'invalidOperations']);
    expect(report).toMatchObject({
      against: join(workspace.dir, 'schema', 'published'),
      passed: false,
      summary: { breaking: 1, dangerous: 0, safe: 0, failing: 1, deprecated: 0, operations: 8 },
      changes: [
        {
          severity: 'breaking',
          type: 'FIELD_REMOVED',
          coordinate: 'Review.rating',
          message: 'Review.rating was removed.',
          usedBy: [
            { client: 'web', name: 'ProductPage' },
            { client: 'web', name: 'Me' },
            { client: 'web', name: 'WriteReview' },
          ],
          fails: true,
        },
      ],
      deprecations: [],
      invalidOperations: [],
    });
  });

  it('exits 2 on a usage error and 0 when the schema is unchanged', async () => {
    const usage = await run('scripts/schema-check.ts', ['--against', 'main']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--against takes git:<ref>, e.g. git:main; got "main".');

    const unchanged = await run('scripts/schema-check.ts', []);
    expect(unchanged).toMatchObject({ code: 0, stdout: expect.stringContaining('Passed: no changes.') });
  });
});

describe('npm run schema:publish', () => {
  it('writes the schema and a changelog entry, and nothing when nothing changed', async () => {
    const fresh = await createSchemaWorkspace();
    try {
      await fresh.edit('products', (sdl) => sdl.replace('  "A paragraph describing the product."', '  "The maker\'s brand name, when known."\n  brand: String\n  "A paragraph describing the product."'));
      await fresh.edit('accounts', (sdl) => sdl.replace('  "When the account was opened."\n  createdAt: DateTime!\n', ''));
      const published = join(fresh.dir, 'schema', 'published');
      const entriesBefore = (JSON.parse(await readFile(join(published, 'changelog.json'), 'utf8')) as { entries: unknown[] }).entries.length;

      const first = await fresh.publish(new Date('2026-03-01T09:30:00.000Z'));

      expect(first).toMatchObject({ published: true, entry: { initial: false, summary: { breaking: 1, dangerous: 0, safe: 1 } } });
      expect(await readFile(join(published, 'schema.graphql'), 'utf8')).toContain('  brand: String\n');
      const changelog = JSON.parse(await readFile(join(published, 'changelog.json'), 'utf8')) as { entries: unknown[] };
      expect(changelog.entries).toHaveLength(entriesBefore + 1);
      expect(changelog.entries[0]).toEqual({
        publishedAt: '2026-03-01T09:30:00.000Z',
        initial: false,
        summary: { breaking: 1, dangerous: 0, safe: 1 },
        changes: [
          { severity: 'breaking', type: 'FIELD_REMOVED', coordinate: 'User.createdAt', message: 'User.createdAt was removed.' },
          { severity: 'safe', type: 'FIELD_ADDED', coordinate: 'Product.brand', message: 'Product.brand was added.' },
        ],
      });
      expect(await readFile(join(published, 'CHANGELOG.md'), 'utf8')).toContain(
        '## 2026-03-01\n\n### Breaking\n\n- User.createdAt was removed.\n\n### Safe\n\n- Product.brand was added.\n',
      );

      const before = await stat(join(published, 'changelog.json'));
      const again = await run('scripts/schema-publish.ts', ['--config', fresh.config]);
      expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('No changes since the last publication') });
      expect((await stat(join(published, 'changelog.json'))).mtimeMs).toBe(before.mtimeMs);
      expect(await fresh.check()).toMatchObject({ passed: true, changes: [] });
    } finally {
      await fresh.remove();
    }
  });
});
