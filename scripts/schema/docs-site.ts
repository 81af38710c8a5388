import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { buildApiSchema, type SchemaVersion } from './api-schema.js';
import type { Changelog } from './changelog.js';
import type { ContractSchema } from './contract-schemas.js';
import { renderChangelog } from './docs-changelog.js';
import { errorCodes } from './docs-error-codes.js';
import { GETTING_STARTED_SECTIONS, renderGettingStarted } from './docs-getting-started.js';
import { escapeHtml, renderPage, type NavLink } from './docs-html.js';
import { operationId } from './docs-operation-examples.js';
import { siteOperations, type DocumentedOperation, type Registered } from './docs-operations.js';
import { hasDeprecations, renderOverview, renderSidebar, typeGroups, typePagePath, type Current } from './docs-reference.js';
import { SEARCH_INDEX_FILE } from './docs-search-script.js';
import { buildSearchIndex, plainSummary, renderSearchIndexScript, type SearchEntry } from './docs-search.js';
import type { DocsSettings } from './docs-settings.js';
import { renderType, type DocsScope } from './docs-types.js';
import { schemaCoordinates } from './schema-coordinates.js';

/**
 * The partners' docs as a static site. The full API's site is the top folder
 * and each contract's is `<contract>/`, each with: `index.html` (the overview:
 * every type it documents), `getting-started.html` (endpoint, authentication,
 * limits, error codes, registered operations), `types/<Type>.html` (one page
 * per type; elements badged, on the full API's, with the contracts that include
 * them) and `search-index.js`; `changelog.html` is shared. The same input
 * gives the same bytes: no timestamps but the changelog's, everything in
 * schema, manifest or alphabetical order.
 */
export type DocsInput = {
  version: SchemaVersion;
  /** What `version` is, for the subtitle: the published schema or one composed now. */
  source: 'published' | 'current';
  contracts: readonly ContractSchema[];
  changelog: Changelog;
  settings: DocsSettings;
  /** The trusted documents and their example variables: the Getting started pages' examples. */
  registered: Registered;
};

export type DocsFile = { path: string; content: string };
/** The files to write, and what the generator left out (an operation not valid against its site's schema). */
export type DocsSite = { files: DocsFile[]; warnings: string[] };

const TITLE = 'Junction API reference';

type Site = {
  contract: ContractSchema | undefined;
  /** The site's folder: `''` or `<contract>/`. */
  dir: string;
  schema: GraphQLSchema;
  shows(coordinate: string): boolean;
  badgesOf(coordinate: string): readonly string[];
  clients: string[];
  operations: DocumentedOperation[];
};

const typeOf = (coordinate: string) => /^[^.(]*/.exec(coordinate)?.[0] ?? coordinate;

/** Where an element is documented, from a page of its site: the overview's level, or a type's page. */
function hrefFrom(page: { type?: string }) {
  return (coordinate: string) => {
    const type = typeOf(coordinate);
    const fragment = coordinate === type ? '' : `#${coordinate}`;
    if (page.type === undefined) return `${typePagePath(type)}${fragment}`;
    if (type === page.type) return fragment === '' ? `#${type}` : fragment;
    return `${type}.html${fragment}`;
  };
}

/** The pages' shared navigation, from a page `up` folders below the top one. */
function navigation(contracts: readonly ContractSchema[], up: string, current: string): NavLink[] {
  return [
    { label: 'Full API', href: `${up}index.html`, current: current === '' },
    ...contracts.map((contract) => ({ label: contract.name, href: `${up}${contract.name}/index.html`, current: current === contract.name })),
    { label: 'Changelog', href: `${up}changelog.html`, current: current === 'changelog' },
  ];
}

function subtitle(input: DocsInput): string {
  if (input.source === 'current') return 'The API schema composed from schema/ now; not published yet.';
  const latest = input.changelog.entries[0];
  return latest ? `The published API schema, as of ${latest.publishedAt.slice(0, 10)}.` : 'The published API schema.';
}

/**
 * Which clients each site is for: a contract's are those CONTRACT_CLIENTS maps
 * to it, and the client named after it when it has registered operations and
 * is mapped nowhere else (`trusted-documents/partner.json` for the partner
 * contract); the full API's are the other clients with registered operations.
 */
function clientsOf(input: DocsInput, warnings: string[]): Map<string, string[]> {
  const { contractClients } = input.settings;
  const names = new Set(input.contracts.map((contract) => contract.name));
  const bySite = new Map<string, string[]>([['', []], ...input.contracts.map((contract) => [contract.name, [] as string[]] as const)]);
  for (const [client, contract] of contractClients) {
    if (names.has(contract)) bySite.get(contract)?.push(client);
    else warnings.push(`CONTRACT_CLIENTS maps client ${client} to contract ${contract}, which contracts.yaml does not have.`);
  }
  for (const client of input.registered.documents.keys()) {
    if (contractClients.has(client)) continue;
    bySite.get(names.has(client) ? client : '')?.push(client);
  }
  return bySite;
}

function buildSites(input: DocsInput, warnings: string[]): Site[] {
  const schema = buildApiSchema(input.version);
  const documented = schemaCoordinates(schema);
  const bySite = clientsOf(input, warnings);
  const problems: string[] = [];
  const site = (contract: ContractSchema | undefined, siteSchema: GraphQLSchema, shows: Site['shows'], badgesOf: Site['badgesOf']): Site => {
    const clients = bySite.get(contract?.name ?? '') ?? [];
    const found = siteOperations(siteSchema, clients, input.registered);
    problems.push(...found.problems);
    warnings.push(...found.left.map((left) => `${contract ? `The ${contract.name} contract` : 'The full API'} leaves out ${left}`));
    return { contract, dir: contract ? `${contract.name}/` : '', schema, shows, badgesOf, clients, operations: found.operations };
  };
  const sites = [
    site(undefined, schema, (coordinate) => documented.has(coordinate), (coordinate) =>
      // Without contracts there is only the full schema: nothing to tell apart.
      input.contracts.length === 0 ? [] : ['full', ...input.contracts.filter((contract) => contract.coordinates.has(coordinate)).map((contract) => contract.name)],
    ),
    // A contract's site: what the documented schema has and the contract's API schema has too.
    ...input.contracts.map((contract) =>
      site(contract, contract.schema, (coordinate) => documented.has(coordinate) && contract.coordinates.has(coordinate), () => []),
    ),
  ];
  if (problems.length > 0) throw new Error(`The example variables do not fit:\n  ${problems.join('\n  ')}`);
  return sites;
}

function searchPages(site: Site, contracts: readonly ContractSchema[]): SearchEntry[] {
  const name = site.contract ? `the ${site.contract.name} contract` : 'the full API';
  const pages: SearchEntry[] = [
    { name: 'Getting started', kind: 'page', href: 'getting-started.html', detail: `How to call ${name}: endpoint, authentication, limits, errors, examples` },
    ...GETTING_STARTED_SECTIONS.map(({ id, heading }) => ({ name: heading, kind: 'page', href: `getting-started.html#${id}`, detail: 'Getting started' })),
    { name: 'Overview', kind: 'page', href: 'index.html', detail: `Every type of ${name}` },
  ];
  if (site.contract) {
    pages.push({ name: 'Full API', kind: 'page', href: '../index.html', detail: 'Every type of the full API' });
    pages.push({ name: 'Changelog', kind: 'page', href: '../changelog.html', detail: 'Every publication of the API schema' });
  } else {
    pages.push({ name: 'Changelog', kind: 'page', href: 'changelog.html', detail: 'Every publication of the API schema' });
    for (const contract of contracts) {
      pages.push({ name: `${contract.name} contract`, kind: 'page', href: `${contract.name}/index.html`, detail: plainSummary(contract.description) });
      pages.push({ name: `Getting started: ${contract.name}`, kind: 'page', href: `${contract.name}/getting-started.html`, detail: `How to call the ${contract.name} contract` });
    }
  }
  return pages;
}

function sitePages(input: DocsInput, site: Site): DocsFile[] {
  const groups = typeGroups(site.schema, site.shows);
  const deprecations = hasDeprecations(site.schema, { ...site, href: hrefFrom({}) });
  const up = site.contract ? '../' : '';
  const siteName = site.contract ? `${TITLE}: ${site.contract.name}` : TITLE;
  const about = site.contract
    ? `${subtitle(input)} The ${site.contract.name} contract: only what it includes.${site.contract.description === '' ? '' : ` ${site.contract.description}`}`
    : subtitle(input);
  const page = (path: string, title: string, current: Current, main: string, depth: string): DocsFile => ({
    path: `${site.dir}${path}`,
    content: renderPage({
      title: `${title} – ${siteName}`,
      site: siteName,
      subtitle: about,
      nav: navigation(input.contracts, depth + up, site.contract?.name ?? ''),
      sidebar: renderSidebar(groups, { up: depth, current, deprecations }),
      main,
      root: depth,
    }),
  });
  const atTop: DocsScope = { shows: site.shows, badgesOf: site.badgesOf, href: hrefFrom({}) };
  const name = site.contract ? `the ${escapeHtml(site.contract.name)} contract` : 'the full API';
  const intro =
    `<h1>Overview</h1>\n<p>Every type of ${name}, with what it is for. New here? Start with <a href="getting-started.html">Getting started</a>: ` +
    `the endpoint, authentication, limits, error codes and example operations. What changed, and when: the <a href="${up}changelog.html">changelog</a>.` +
    `${!site.contract && input.contracts.length > 0 ? ' Each element is badged with the contracts that include it.' : ''}</p>`;
  const files = [
    page('index.html', 'Overview', 'overview', renderOverview(site.schema, atTop, groups, intro), ''),
    page(
      'getting-started.html',
      'Getting started',
      'getting-started',
      renderGettingStarted({
        contract: site.contract,
        settings: input.settings,
        clients: site.clients,
        operations: site.operations,
        scope: atTop,
      }),
      '',
    ),
    ...groups.flatMap((group) =>
      group.types.map((type) =>
        page(typePagePath(type.name), type.name, { type: type.name }, renderType(site.schema, type, { ...atTop, href: hrefFrom({ type: type.name }) }), '../'),
      ),
    ),
  ];
  const index = buildSearchIndex({
    schema: site.schema,
    types: groups.flatMap((group) => group.types),
    shows: site.shows,
    href: hrefFrom({}),
    pages: searchPages(site, input.contracts),
    operations: site.operations.map((operation) => ({
      name: operation.name,
      kind: 'operation',
      href: `getting-started.html#${operationId(operation)}`,
      detail: `${operation.type} · client ${operation.client}`,
    })),
    errors: Object.entries(errorCodes(input.settings)).map(([code, entry]) => ({
      name: code,
      kind: 'error',
      href: `getting-started.html#error-${code}`,
      detail: plainSummary(`${entry.status}: ${entry.meaning}`),
    })),
  });
  files.push({ path: `${site.dir}${SEARCH_INDEX_FILE}`, content: renderSearchIndexScript(index) });
  return files;
}

export function buildDocsSite(input: DocsInput): DocsSite {
  const warnings: string[] = [];
  const sites = buildSites(input, warnings);
  const full = sites[0] as Site;
  const files = sites.flatMap((site) => sitePages(input, site));
  files.push({
    path: 'changelog.html',
    content: renderPage({
      title: `Changelog – ${TITLE}`,
      site: TITLE,
      subtitle: subtitle(input),
      nav: navigation(input.contracts, '', 'changelog'),
      sidebar: '',
      main: `<h1>Changelog</h1>\n${renderChangelog(input.changelog, (coordinate) => (full.shows(coordinate) ? hrefFrom({})(coordinate) : undefined))}`,
      root: '',
    }),
  });
  return { files, warnings };
}

export async function writeDocsSite(outDir: string, files: readonly DocsFile[]): Promise<void> {
  for (const file of files) {
    const path = join(outDir, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content);
  }
}
