import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script, createContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrustedDocuments } from '#gateway/stages/persisted-documents/persisted-documents.js';
import { schemaVersionOf } from '../../scripts/schema/api-schema.js';
import { readContractSchemas } from '../../scripts/schema/contract-schemas.js';
import { readExampleVariables } from '../../scripts/schema/docs-operations.js';
import { RANK_SOURCE, SEARCH_LIMIT, SEARCH_SCRIPT } from '../../scripts/schema/docs-search-script.js';
import { parseSearchIndexScript, type SearchEntry, type SearchIndex } from '../../scripts/schema/docs-search.js';
import { buildDocsSite } from '../../scripts/schema/docs-site.js';
import { changelog, compose, settingsFor, writeCatalogue } from '../support/docs-catalogue.js';
import { pagesOf, siteIdsOf } from '../support/docs-pages.js';

/**
 * The docs' search index (one per site, a script beside its pages) and the
 * ranking the pages' inline script runs, run here as the same text in a V8
 * context of its own. The browser test types into the real thing.
 */
let dir: string;
let pages: Map<string, string>;
let full: SearchIndex;
let partner: SearchIndex;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'junction-docs-search-'));
  await writeCatalogue(dir);
  const documents = join(dir, 'trusted-documents');
  const site = buildDocsSite({
    version: schemaVersionOf(compose('')),
    source: 'current',
    contracts: await readContractSchemas(dir),
    changelog,
    settings: settingsFor(),
    registered: { documents: await loadTrustedDocuments(documents), examples: await readExampleVariables(documents) },
  });
  pages = pagesOf(site.files);
  full = parseSearchIndexScript(pages.get('search-index.js') ?? '');
  partner = parseSearchIndexScript(pages.get('partner/search-index.js') ?? '');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Found = { total: number; results: SearchEntry[] };
const search = (() => {
  const context = createContext({});
  new Script(`${RANK_SOURCE}; this.junctionSearch = junctionSearch;`).runInContext(context);
  const run = context.junctionSearch as (entries: SearchEntry[], query: string, limit: number) => Found;
  // Back from the context's realm into this one, for deep equality.
  return (index: SearchIndex, query: string, limit = SEARCH_LIMIT): Found => JSON.parse(JSON.stringify(run(index.entries, query, limit))) as Found;
})();
const names = (found: Found) => found.results.map((entry) => `${entry.kind} ${entry.name}`);

describe('the search index', () => {
  it('has every type, field, argument and enum value of its site, each linked to where it is documented', () => {
    const documented = (index: SearchIndex) => new Set(index.entries.filter((entry) => !['page', 'operation', 'error'].includes(entry.kind)).map((entry) => entry.name));
    expect(documented(full)).toEqual(siteIdsOf(pages));
    expect(documented(partner)).toEqual(siteIdsOf(pages, 'partner/'));
    for (const [index, site] of [[full, ''], [partner, 'partner/']] as const) {
      for (const entry of index.entries) {
        const [path = '', fragment] = entry.href.split('#');
        const target = new URL(path, `file:///site/${site}`).pathname.slice('/site/'.length);
        expect(pages.has(target), `${entry.name}: ${entry.href}`).toBe(true);
        if (fragment !== undefined) expect(pages.get(target), `${entry.name}: ${entry.href}`).toContain(` id="${fragment.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`);
      }
    }
    expect(full.entries).toContainEqual({ name: 'Product.cost', kind: 'field', href: 'types/Product.html#Product.cost', detail: 'Int · What the product costs us, in cents.' });
    expect(full.entries).toContainEqual({ name: 'Query.products(sort:)', kind: 'argument', href: 'types/Query.html#Query.products(sort:)', detail: 'Sort · The order.' });
    expect(full.entries).toContainEqual({ name: 'Sort.MARGIN', kind: 'value', href: 'types/Sort.html#Sort.MARGIN', detail: 'By margin, highest first.' });
    expect(partner.entries.some((entry) => entry.name.startsWith('Brand') || entry.name === 'Product.cost')).toBe(false);
  });

  it('has the pages, the registered operations and the error codes', () => {
    expect(partner.entries.filter((entry) => entry.kind === 'page').map((entry) => `${entry.name} ${entry.href}`)).toEqual([
      'Getting started getting-started.html',
      'Endpoint getting-started.html#section-endpoint',
      'Authentication getting-started.html#section-authentication',
      'Rate limits and cost budgets getting-started.html#section-limits',
      'Errors getting-started.html#section-errors',
      'Registered operations getting-started.html#section-operations',
      'Overview index.html',
      'Full API ../index.html',
      'Changelog ../changelog.html',
    ]);
    expect(full.entries).toContainEqual({ name: 'partner contract', kind: 'page', href: 'partner/index.html', detail: 'What partners integrate against.' });
    expect(partner.entries.filter((entry) => entry.kind === 'operation')).toEqual([
      { name: 'ProductByUpc', kind: 'operation', href: 'getting-started.html#operation-partner.ProductByUpc', detail: 'query · client partner' },
      { name: 'AddProduct', kind: 'operation', href: 'getting-started.html#operation-partner.AddProduct', detail: 'mutation · client partner' },
      { name: 'Sneaky', kind: 'operation', href: 'getting-started.html#operation-partner.Sneaky', detail: 'query · client partner' },
    ]);
    expect(partner.entries).toContainEqual({ name: 'RATE_LIMITED', kind: 'error', href: 'getting-started.html#error-RATE_LIMITED', detail: '429: Too many requests from your key (or, without one, your address).' });
  });

  it("is one script that sets one global, and the pages' script has no end tag in it", () => {
    expect(pages.get('search-index.js')).toMatch(/^window\.JUNCTION_SEARCH_INDEX = \{"format":"junction-docs-search","version":1,"entries":\[/);
    expect(SEARCH_SCRIPT).not.toContain('</');
    expect(() => new Script(SEARCH_SCRIPT)).not.toThrow();
  });
});

describe('the ranking', () => {
  it('puts the exact name first, then prefixes, types before their fields, then shorter names', () => {
    expect(names(search(full, 'product')).slice(0, 6)).toEqual([
      'type Product',
      'field Product.id',
      'field Product.upc',
      'field Product.name',
      'field Product.cost',
      'field Product.title',
    ]);
    expect(names(search(full, 'PRODUCT'))[0]).toBe('type Product');
  });

  it('finds the start of a part (after a dot, a bracket, a camelCase hump) before a match inside a word', () => {
    expect(names(search(full, 'sort'))).toEqual(['enum Sort', 'operation Sorted', 'value Sort.NAME', 'value Sort.MARGIN', 'value Sort.OLDEST', 'argument Query.products(sort:)']);
    expect(names(search(partner, 'byupc'))).toEqual(['operation ProductByUpc']);
    expect(names(search(partner, 'upc')).slice(0, 3)).toEqual(['operation ProductByUpc', 'field Product.upc', 'field NewProduct.upc']);
  });

  it('searches the details last, and finds error codes and pages', () => {
    expect(names(search(full, 'shelf'))).toEqual(['field Product.name', 'field NewProduct.name']);
    expect(names(search(full, 'rate_lim'))).toEqual(['error RATE_LIMITED']);
    expect(names(search(partner, 'getting'))[0]).toBe('page Getting started');
  });

  it('lists at most the limit, and counts them all; an empty query finds nothing', () => {
    const all = search(full, 'e', 5);
    expect(all.results).toHaveLength(5);
    expect(all.total).toBeGreaterThan(40);
    expect(search(full, '   ')).toEqual({ total: 0, results: [] });
    expect(search(full, 'zzzz')).toEqual({ total: 0, results: [] });
  });

  it('takes linear time: a 100 KB query is cut to 100 characters, a 1,000-entry index answers at once', () => {
    const entries = Array.from({ length: 1_000 }, (_, at) => ({ name: `Type${at}.field${'a'.repeat(200)}`, kind: 'field', href: 'x', detail: 'y'.repeat(200) }));
    const index: SearchIndex = { format: 'junction-docs-search', version: 1, entries };
    const started = performance.now();
    expect(search(index, 'a'.repeat(100_000)).total).toBe(1_000);
    expect(search(index, `${'a'.repeat(99)}b`).total).toBe(0);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
