import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrustedDocuments } from '#gateway/stages/persisted-documents/persisted-documents.js';
import { apiSdlOf, schemaVersionOf } from '../../scripts/schema/api-schema.js';
import { readContractSchemas } from '../../scripts/schema/contract-schemas.js';
import { NO_OPERATIONS, readExampleVariables, type Registered } from '../../scripts/schema/docs-operations.js';
import { buildDocsSite, type DocsInput } from '../../scripts/schema/docs-site.js';
import { schemaCoordinates } from '../../scripts/schema/schema-coordinates.js';
import { changelog, compose, settingsFor, writeCatalogue } from '../support/docs-catalogue.js';
import { expectEveryElementDescribed, expectSelfContained } from '../support/docs-expectations.js';
import { elementOf, idsOf, pagesOf, siteIdsOf, textOf, typePageOf, typePagesOf } from '../support/docs-pages.js';

/**
 * The partners' docs, on a small catalogue whose partner contract leaves out
 * a field, an argument, an enum value and a type (the way `npm run compose`
 * writes a contract: the full supergraph with `@inaccessible` on what it
 * leaves out): the overview, a page per type, the contract's site and the
 * changelog. The Getting started pages and the search have their own tests.
 */
describe('the docs of a catalogue with a partner contract', () => {
  let dir: string;
  let full: GraphQLSchema;
  let partner: GraphQLSchema;
  let input: DocsInput;
  let pages: Map<string, string>;
  const page = (path: string) => pages.get(path) ?? '';
  /** The page documenting a coordinate on the full API's site, or the contract's (`partner/`). */
  const pageOf = (coordinate: string, site = '') => typePageOf(pages, coordinate, site);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'junction-docs-'));
    await writeCatalogue(dir);
    full = buildSchema(apiSdlOf(compose('')));
    partner = buildSchema(apiSdlOf(compose('@inaccessible')));
    const documents = join(dir, 'trusted-documents');
    const registered: Registered = { documents: await loadTrustedDocuments(documents), examples: await readExampleVariables(documents) };
    const contracts = await readContractSchemas(dir);
    input = { version: schemaVersionOf(compose('')), source: 'current', contracts, changelog, settings: settingsFor(), registered };
    pages = pagesOf(buildDocsSite(input).files);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes an overview, a Getting started page, a page per type and a search index per site, and the changelog', () => {
    const types = ['Brand', 'Mutation', 'NewProduct', 'Node', 'Product', 'Query', 'Review', 'SearchResult', 'Sort'];
    const partnerTypes = types.filter((name) => name !== 'Brand');
    expect([...pages.keys()].sort()).toEqual(
      [
        'index.html',
        'getting-started.html',
        'search-index.js',
        ...types.map((name) => `types/${name}.html`),
        'partner/index.html',
        'partner/getting-started.html',
        'partner/search-index.js',
        ...partnerTypes.map((name) => `partner/types/${name}.html`),
        'changelog.html',
      ].sort(),
    );
    expect(page('partner/index.html')).toContain('The partner contract: only what it includes. What partners integrate against.');
  });

  it('documents every type, field, argument and enum value of the API schema on its type page, with its description', () => {
    expect(siteIdsOf(pages)).toEqual(schemaCoordinates(full));
    expectEveryElementDescribed(pages, full);
    for (const [name, html] of typePagesOf(pages)) {
      expect([...idsOf(html)].every((id) => id === name || id.startsWith(`${name}.`)), name).toBe(true);
      expect(html).toMatch(new RegExp(`<title>${name} – Junction API reference</title>`));
      expect(html).toContain(`<h1><span class="kind">`);
    }
  });

  it('lists every type on the overview, root types first, with the first paragraph of its description', () => {
    const overview = page('index.html');
    const order = ['Query', 'Mutation', 'Brand', 'Product', 'Review', 'Node', 'SearchResult', 'Sort', 'NewProduct'];
    const positions = order.map((name) => overview.indexOf(`<a href="types/${name}.html"><code>${name}</code></a>`));
    expect(positions.every((position) => position !== -1)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(textOf(overview)).toContain('Product type Something for sale.');
    expect(overview).toContain('<a href="getting-started.html">Getting started</a>');
    expect(overview).toContain('<a href="changelog.html">changelog</a>');
    expect(idsOf(overview)).toEqual(new Set());
  });

  it('links types across pages, shows defaults, implementations and union members', () => {
    const search = elementOf(pageOf('Query.search'), 'Query.search');
    expect(textOf(search)).toContain('search: [SearchResult!]!');
    expect(search).toContain('<a href="SearchResult.html">SearchResult</a>');
    expect(textOf(elementOf(pageOf('Query.products(sort:)'), 'Query.products(sort:)'))).toContain('sort: Sort = NAME');
    expect(textOf(elementOf(pageOf('NewProduct.cost'), 'NewProduct.cost'))).toContain('cost: Int = 0');
    expect(textOf(elementOf(pageOf('Node'), 'Node'))).toContain('Implemented by Brand, Product');
    expect(elementOf(pageOf('Node'), 'Node')).toContain('<a href="Brand.html">Brand</a>');
    expect(textOf(elementOf(pageOf('Product'), 'Product'))).toContain('Implements Node');
    expect(textOf(elementOf(pageOf('SearchResult'), 'SearchResult'))).toContain('One of Brand, Product');
    // An element links to itself on its own page.
    expect(elementOf(pageOf('Product.name'), 'Product.name')).toContain('<a href="#Product.name">name</a>');
  });

  it('has the same navigation and contents on every page, the current one marked', () => {
    const product = page('types/Product.html');
    expect(product).toContain('<a href="../index.html" class="current" aria-current="page">Full API</a>\n<a href="../partner/index.html">partner</a>\n<a href="../changelog.html">Changelog</a>');
    expect(product).toContain('<li><a href="../types/Product.html" aria-current="page">Product</a></li>');
    expect(product).toContain('<li><a href="../getting-started.html">Getting started</a></li>');
    expect(product).toContain('<a href="../index.html#section-deprecations">Deprecations</a>');
    const partnerProduct = page('partner/types/Product.html');
    expect(partnerProduct).toContain('<a href="../../index.html">Full API</a>\n<a href="../../partner/index.html" class="current" aria-current="page">partner</a>');
    expect(partnerProduct).not.toContain('Brand.html');
  });

  it('has landmarks, one h1 per page and a labelled search form', () => {
    for (const [path, html] of pages) {
      if (!path.endsWith('.html')) continue;
      expect(html.match(/<h1\b/g), path).toHaveLength(1);
      expect(html, path).toContain('<header>');
      expect(html, path).toContain('<main id="main">');
      expect(html, path).toContain('<nav aria-label="Schemas">');
      expect(html, path).toContain('<form class="search" role="search" hidden>\n<label for="search-input">');
      expect(html, path).toContain('<a class="skip" href="#main">Skip to content</a>');
    }
  });

  it('shows each deprecation with its reason, and lists them all on the overview', () => {
    expect(elementOf(pageOf('Product.title'), 'Product.title')).toContain('is-deprecated');
    expect(textOf(elementOf(pageOf('Product.title'), 'Product.title'))).toContain('Deprecated: Use name.');
    expect(textOf(elementOf(pageOf('Sort.OLDEST'), 'Sort.OLDEST'))).toContain('Deprecated: Nobody sorts by age.');
    const overview = page('index.html');
    const listed = overview.slice(overview.indexOf('id="section-deprecations"'));
    expect(textOf(listed)).toContain('Product.title Use name.');
    expect(textOf(listed)).toContain('Sort.OLDEST Nobody sorts by age.');
    expect(listed).toContain('<a href="types/Product.html#Product.title">');
  });

  it('badges each element with the contracts that include it', () => {
    const badges = (coordinate: string) => /data-contracts="([^"]*)"/.exec(elementOf(pageOf(coordinate), coordinate))?.[1];
    for (const coordinate of ['Product.name', 'Query.products(sort:)', 'Sort.NAME', 'NewProduct.upc', 'Product']) {
      expect(badges(coordinate), coordinate).toBe('full partner');
    }
    for (const coordinate of ['Product.cost', 'Query.products(first:)', 'Sort.MARGIN', 'NewProduct.cost', 'Brand', 'Brand.name']) {
      expect(badges(coordinate), coordinate).toBe('full');
    }
    expect(textOf(elementOf(pageOf('Product.cost'), 'Product.cost'))).toContain('cost: Int full What the product costs us');
  });

  it("gives the contract a site with exactly the contract's schema", () => {
    expect(siteIdsOf(pages, 'partner/')).toEqual(schemaCoordinates(partner));
    expect(siteIdsOf(pages, 'partner/').has('Product.cost')).toBe(false);
    for (const [path, html] of pages) {
      if (!path.startsWith('partner/')) continue;
      expect(html, path).not.toContain('What the product costs us');
      expect(html, path).not.toContain('data-contracts');
    }
    expectEveryElementDescribed(pages, partner, 'partner/');
    expect(textOf(elementOf(pageOf('SearchResult', 'partner/'), 'SearchResult'))).toContain('One of Product');
    expect(textOf(elementOf(pageOf('Node', 'partner/'), 'Node'))).toContain('Implemented by Product');
    expect(page('partner/index.html')).toContain('<a href="../changelog.html">Changelog</a>');
  });

  it('escapes descriptions: a <script> in the SDL is text on the page', () => {
    expect(page('types/Query.html')).toContain('The catalogue&#39;s entry points. &lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;');
    expect(page('types/Query.html')).toContain('One product by UPC, or <code>null</code> when there is none.');
    expect(page('index.html')).toContain('The catalogue&#39;s entry points. &lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;');
  });

  it('lists every changelog entry with the severity of each change', () => {
    const text = textOf(page('changelog.html'));
    expect(text).toContain('2026-03-01 1 breaking, 1 dangerous, 1 safe.');
    expect(text).toContain('Breaking Product.price Product.price was removed.');
    expect(text).toContain('Dangerous Sort.MARGIN MARGIN was added to enum type Sort.');
    expect(text).toContain('Safe Product.cost Product.cost was added.');
    expect(text).toContain('2026-02-01 First publication of the schema.');
    // Links to what the reference still documents; Product.price is gone.
    expect(page('changelog.html')).toContain('<a href="types/Product.html#Product.cost"><code>Product.cost</code></a>');
    expect(page('changelog.html')).not.toContain('#Product.price"');
  });

  it('links the changelog from every page', () => {
    for (const [path, html] of pages) {
      if (!path.endsWith('.html')) continue;
      const up = '../'.repeat(path.split('/').length - 1);
      expect(html, path).toContain(`<a href="${up}changelog.html"`);
    }
  });

  it('is self-contained and gives the same bytes for the same input', async () => {
    const site = buildDocsSite({ ...input, contracts: await readContractSchemas(dir) });
    expectSelfContained(site.files);
    expect(site.files.map(({ path, content }) => [path, content])).toEqual([...pages.entries()]);
  });

  it('without contracts.yaml has no contract sites and no badges', async () => {
    expect(await readContractSchemas(join(dir, 'contracts'))).toEqual([]);
    const { files } = buildDocsSite({ ...input, contracts: [], registered: NO_OPERATIONS });
    expect(files.some(({ path }) => path.startsWith('partner/'))).toBe(false);
    expect(files.some(({ content }) => content.includes('class="badge'))).toBe(false);
    expect(files[0]?.content).toContain('<a href="index.html" class="current" aria-current="page">Full API</a>\n<a href="changelog.html">Changelog</a>');
    expectSelfContained(files);
  });

  it('names the contract supergraph compose has not written yet', async () => {
    const uncomposed = join(dir, 'uncomposed');
    await mkdir(uncomposed);
    await writeFile(join(uncomposed, 'contracts.yaml'), 'contracts:\n  partner:\n    include: [partner]\n');
    await expect(readContractSchemas(uncomposed)).rejects.toThrow(/names the contract partner but .*contracts\/partner\.graphql is missing: run npm run compose\./);
  });
});
