import { readFile, writeFile } from 'node:fs/promises';
import { schema } from '#lib/env-schema.js';
import { GROUPS, SETTINGS } from '#lib/settings-reference.js';
import { fail, parseCommandLine } from './command-line.js';

const USAGE = `Usage: npm run docs:settings -- [--check]

Writes docs/SETTINGS.md, the reference of every environment variable Junction reads,
from lib/env-schema.ts (names, defaults) and lib/settings-reference.ts (what each means),
and the variables supergraph.yaml expands.
  --check  write nothing; fail when docs/SETTINGS.md is not what it would write`;

const OUTPUT = 'docs/SETTINGS.md';
const values = parseCommandLine(USAGE, { check: { type: 'boolean', default: false } });

type Field = { _zod: { def: { type: string; defaultValue?: unknown } } };

/** The schema's default for a variable, as written in a shell (with sizes and times in words): none when it is optional. */
function schemaDefault(name: string, field: Field): string {
  const { def } = field._zod;
  if (def.type !== 'default') return 'none';
  const value = def.defaultValue;
  const written = `\`${String(value)}\``;
  if (typeof value !== 'number' || value === 0) return written;
  if (name.endsWith('_BYTES') && value >= 1024 * 1024) return `${written} (${value / (1024 * 1024)} MiB)`;
  if (name.endsWith('_MS') && value >= 1000) return `${written} (${value / 1000} s)`;
  return written;
}

/** A table cell: one line, pipes escaped. */
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** `${env.NAME:-default}` in supergraph.yaml: variables composition and `npm start` read that the schema does not. */
async function supergraphVariables(): Promise<{ name: string; fallback: string }[]> {
  const yaml = await readFile('supergraph.yaml', 'utf8');
  const found = new Map<string, string>();
  for (const [, name, fallback] of yaml.matchAll(/\$\{env\.([A-Z0-9_]+)(?::-([^}]*))?\}/g)) {
    if (!(name! in schema.shape)) found.set(name!, fallback ?? '');
  }
  return [...found].map(([name, fallback]) => ({ name, fallback }));
}

async function render(): Promise<string> {
  const shape = schema.shape as unknown as Record<string, Field>;
  const lines = [
    '# Settings',
    '',
    '<!-- Written by `npm run docs:settings` from lib/env-schema.ts and lib/settings-reference.ts: edit those, not this file. -->',
    '',
    'Every environment variable Junction reads. Every process checks its',
    'environment at boot and lists every problem before exiting; an empty',
    'variable counts as unset. Where a default depends on `NODE_ENV` it says so.',
    '',
  ];
  for (const group of GROUPS) {
    const names = Object.keys(SETTINGS).filter((name) => SETTINGS[name as keyof typeof SETTINGS].group === group);
    if (names.length === 0) continue;
    lines.push(`## ${group}`, '', '| variable | default | used by | meaning |', '|---|---|---|---|');
    for (const name of names) {
      const setting = SETTINGS[name as keyof typeof SETTINGS];
      const fallback = setting.default ?? schemaDefault(name, shape[name]!);
      lines.push(`| \`${name}\` | ${cell(fallback)} | ${cell(setting.usedBy)} | ${cell(setting.meaning)} |`);
    }
    lines.push('');
  }
  const expanded = await supergraphVariables();
  if (expanded.length > 0) {
    lines.push(
      '## Expanded in supergraph.yaml',
      '',
      '`supergraph.yaml` expands `${env.NAME}` and `${env.NAME:-default}` as rover does: these are read by',
      '`npm run compose`, `npm start` and `npm run dev` only.',
      '',
      '| variable | default |',
      '|---|---|',
      ...expanded.map(({ name, fallback }) => `| \`${name}\` | ${fallback ? `\`${cell(fallback)}\`` : 'none'} |`),
      '',
    );
  }
  return lines.join('\n');
}

const text = await render();
if (values.check) {
  const current = await readFile(OUTPUT, 'utf8').catch(() => '');
  if (current !== text) fail(`${OUTPUT} is stale: run npm run docs:settings and commit it.`);
  process.stdout.write(`${OUTPUT} is current.\n`);
} else {
  await writeFile(OUTPUT, text);
  process.stdout.write(`Wrote ${OUTPUT}.\n`);
}
