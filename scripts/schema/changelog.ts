import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { SEVERITIES, type SchemaChange, type Severity } from './schema-change.js';

/**
 * The published schema's history: `changelog.json` (for tools, e.g. the docs
 * page) and `CHANGELOG.md` (for people), newest entry first. The Markdown is
 * rendered from the JSON each time, so the two never disagree.
 */
export const CHANGELOG_JSON = 'changelog.json';
export const CHANGELOG_MARKDOWN = 'CHANGELOG.md';

const severity = z.enum(['breaking', 'dangerous', 'safe']);
const entrySchema = z.object({
  publishedAt: z.string(),
  /** The first publication: there was nothing to compare with. */
  initial: z.boolean(),
  summary: z.object({ breaking: z.number(), dangerous: z.number(), safe: z.number() }),
  changes: z.array(z.object({ severity, type: z.string(), coordinate: z.string(), message: z.string() })),
});
const changelogSchema = z.object({
  format: z.literal('junction-schema-changelog'),
  version: z.literal(1),
  entries: z.array(entrySchema),
});

export type ChangelogEntry = z.infer<typeof entrySchema>;
export type Changelog = z.infer<typeof changelogSchema>;

export async function readChangelog(dir: string): Promise<Changelog> {
  const file = join(dir, CHANGELOG_JSON);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return { format: 'junction-schema-changelog', version: 1, entries: [] };
  const parsed = changelogSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is not a Junction schema changelog: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

export function changelogEntry(changes: readonly SchemaChange[], publishedAt: Date, initial: boolean): ChangelogEntry {
  const count = (level: Severity) => changes.filter((found) => found.severity === level).length;
  return {
    publishedAt: publishedAt.toISOString(),
    initial,
    summary: { breaking: count('breaking'), dangerous: count('dangerous'), safe: count('safe') },
    changes: changes.map(({ severity: level, type, coordinate, message }) => ({ severity: level, type, coordinate, message })),
  };
}

const HEADINGS: Record<Severity, string> = { breaking: 'Breaking', dangerous: 'Dangerous', safe: 'Safe' };

export function renderChangelogMarkdown(changelog: Changelog): string {
  const lines = [
    '# Schema changelog',
    '',
    'Every publication of the API schema (`npm run schema:publish`), newest first. Generated from',
    '`changelog.json`; do not edit by hand.',
  ];
  for (const entry of changelog.entries) {
    lines.push('', `## ${entry.publishedAt.slice(0, 10)}`, '');
    if (entry.initial) {
      lines.push('First publication of the schema.');
      continue;
    }
    for (const level of SEVERITIES) {
      const changes = entry.changes.filter((found) => found.severity === level);
      if (changes.length === 0) continue;
      lines.push(`### ${HEADINGS[level]}`, '', ...changes.map((found) => `- ${found.message.replace(/\n/g, ' ')}`), '');
    }
    if (lines.at(-1) === '') lines.pop();
  }
  return `${lines.join('\n')}\n`;
}

/** Adds the entry at the top and rewrites both files. */
export async function appendChangelog(dir: string, entry: ChangelogEntry): Promise<Changelog> {
  const current = await readChangelog(dir);
  const changelog: Changelog = { ...current, entries: [entry, ...current.entries] };
  await writeFile(join(dir, CHANGELOG_JSON), `${JSON.stringify(changelog, null, 2)}\n`);
  await writeFile(join(dir, CHANGELOG_MARKDOWN), renderChangelogMarkdown(changelog));
  return changelog;
}
