import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { readText, root } from '../support/container-files.js';

/*
 * No import cycles in gateway/src or lib/, type imports included: what
 * `npm run cycles` checks, with the same madge settings (package.json's
 * "madge"). Those settings give madge the TypeScript options as JSON: with
 * `--ts-config tsconfig.json`, madge 8.0.0 hands the parsed options on as if
 * they were JSON, loses moduleResolution, and skips every #gateway/ or #lib/
 * import without a word, and so every cycle through one.
 */

type MadgeResult = { obj(): Record<string, string[]>; circular(): string[][]; warnings(): { skipped: string[] } };
type Madge = (paths: string[], config: Record<string, unknown>) => Promise<MadgeResult>;
const madge = createRequire(import.meta.url)('madge') as Madge;

const settings = (JSON.parse(readText('package.json')) as { madge: Record<string, unknown> }).madge;

describe('import cycles', () => {
  it('there are none in gateway/src or lib/, and no import went unresolved', { timeout: 60_000 }, async () => {
    const graph = await madge(['gateway/src', 'lib'], { ...settings, baseDir: root });
    expect(graph.warnings().skipped).toEqual([]);
    // Resolved through the aliases: the gateway's entry point reaches lib/ and its own folders by #lib/ and #gateway/.
    const entry = graph.obj()['gateway/src/index.ts'] ?? [];
    expect(entry).toContain('lib/env.ts');
    expect(entry.some((file) => file.startsWith('gateway/src/supergraph/'))).toBe(true);
    expect(graph.circular()).toEqual([]);
  });
});
