import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildApiSchema, type SchemaVersion } from './api-schema.js';
import type { Changelog } from './changelog.js';
import type { ContractSchema } from './contract-schemas.js';
import { renderChangelog } from './docs-changelog.js';
import { renderPage, type NavLink } from './docs-html.js';
import { renderReference } from './docs-reference.js';
import type { DocsScope } from './docs-types.js';
import { schemaCoordinates } from './schema-coordinates.js';

/**
 * The partners' docs as a static site: `index.html` (the reference of the
 * full API schema, each element badged with the contracts that include it),
 * `<contract>/index.html` (only what that contract includes) and
 * `changelog.html`. The same input gives the same bytes: no timestamps but the
 * changelog's, everything in schema or alphabetical order.
 */
export type DocsInput = {
  version: SchemaVersion;
  /** What `version` is, for the subtitle: the published schema or one composed now. */
  source: 'published' | 'current';
  contracts: readonly ContractSchema[];
  changelog: Changelog;
};

export type DocsPage = { path: string; html: string };

const TITLE = 'Junction API reference';

/** The pages' shared navigation, relative to a page `depth` folders down. */
function navigation(contracts: readonly ContractSchema[], depth: number, current: string): NavLink[] {
  const up = '../'.repeat(depth);
  return [
    { label: 'Full schema', href: `${up}index.html`, current: current === 'full' },
    ...contracts.map((contract) => ({ label: contract.name, href: `${up}${contract.name}/index.html`, current: current === contract.name })),
    { label: 'Changelog', href: `${up}changelog.html`, current: current === 'changelog' },
  ];
}

function subtitle(input: DocsInput): string {
  if (input.source === 'current') return 'The API schema composed from schema/ now; not published yet.';
  const latest = input.changelog.entries[0];
  return latest ? `The published API schema, as of ${latest.publishedAt.slice(0, 10)}.` : 'The published API schema.';
}

export function buildDocsSite(input: DocsInput): DocsPage[] {
  const schema = buildApiSchema(input.version);
  const documented = schemaCoordinates(schema);
  const full: DocsScope = {
    shows: (coordinate) => documented.has(coordinate),
    // Without contracts there is only the full schema: nothing to tell apart.
    badgesOf: (coordinate) =>
      input.contracts.length === 0
        ? []
        : ['full', ...input.contracts.filter((contract) => contract.coordinates.has(coordinate)).map((contract) => contract.name)],
  };
  const reference = renderReference(schema, full);
  const pages: DocsPage[] = [
    { path: 'index.html', html: renderPage({ title: TITLE, subtitle: subtitle(input), nav: navigation(input.contracts, 0, 'full'), ...reference }) },
  ];
  for (const contract of input.contracts) {
    // What the documented schema has and the contract's API schema has too.
    const scope: DocsScope = { shows: (coordinate) => documented.has(coordinate) && contract.coordinates.has(coordinate), badgesOf: () => [] };
    const about = contract.description === '' ? '' : ` ${contract.description}`;
    pages.push({
      path: `${contract.name}/index.html`,
      html: renderPage({
        title: `${TITLE}: ${contract.name}`,
        subtitle: `${subtitle(input)} The ${contract.name} contract: only what it includes.${about}`,
        nav: navigation(input.contracts, 1, contract.name),
        ...renderReference(schema, scope),
      }),
    });
  }
  pages.push({
    path: 'changelog.html',
    html: renderPage({
      title: `${TITLE}: changelog`,
      subtitle: subtitle(input),
      nav: navigation(input.contracts, 0, 'changelog'),
      sidebar: '',
      main: renderChangelog(input.changelog, 'index.html', (coordinate) => documented.has(coordinate)),
    }),
  });
  return pages;
}

export async function writeDocsSite(outDir: string, pages: readonly DocsPage[]): Promise<void> {
  for (const page of pages) {
    const file = join(outDir, page.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, page.html);
  }
}
