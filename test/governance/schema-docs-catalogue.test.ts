import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSdlOf, schemaVersionOf } from '../../scripts/schema/api-schema.js';
import { readContractSchemas } from '../../scripts/schema/contract-schemas.js';
import { buildDocsSite } from '../../scripts/schema/docs-site.js';
import { schemaCoordinates } from '../../scripts/schema/schema-coordinates.js';
import { changelog, compose } from '../support/docs-catalogue.js';
import { expectEveryElementDescribed, expectSelfContained } from '../support/docs-expectations.js';
import { elementOf, idsOf, textOf } from '../support/docs-pages.js';

/**
 * The partners' docs, on a small catalogue whose partner contract leaves out
 * a field, an argument, an enum value and a type (the way `npm run compose`
 * writes a contract: the full supergraph with `@inaccessible` on what it
 * leaves out): the reference, the contract's page and the changelog.
 */
describe('the docs of a catalogue with a partner contract', () => {
  let dir: string;
  let full: GraphQLSchema;
  let partner: GraphQLSchema;
  let pages: Map<string, string>;
  const page = (path: string) => pages.get(path) ?? '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'junction-docs-'));
    const fullSupergraph = compose('');
    const partnerSupergraph = compose('@inaccessible');
    await mkdir(join(dir, 'contracts'));
    await writeFile(join(dir, 'contracts', 'partner.graphql'), partnerSupergraph);
    await writeFile(
      join(dir, 'contracts.yaml'),
      'contracts:\n  partner:\n    description: What partners integrate against.\n    include: [partner]\n    exclude: [internal]\n',
    );
    full = buildSchema(apiSdlOf(fullSupergraph));
    partner = buildSchema(apiSdlOf(partnerSupergraph));
    const contracts = await readContractSchemas(dir);
    const site = buildDocsSite({ version: schemaVersionOf(fullSupergraph), source: 'current', contracts, changelog });
    pages = new Map(site.map(({ path, html }) => [path, html]));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the reference, one page per contract and the changelog', () => {
    expect([...pages.keys()]).toEqual(['index.html', 'partner/index.html', 'changelog.html']);
    expect(page('partner/index.html')).toContain('The partner contract: only what it includes. What partners integrate against.');
  });

  it('documents every type, field, argument and enum value of the API schema with its description, root fields first', () => {
    expect(idsOf(page('index.html'))).toEqual(schemaCoordinates(full));
    expectEveryElementDescribed(page('index.html'), full);
    const order = ['Query', 'Mutation', 'Brand', 'Product', 'Review', 'Node', 'SearchResult', 'Sort', 'NewProduct'];
    const positions = order.map((name) => page('index.html').indexOf(` id="${name}"`));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('links types, shows defaults, implementations and union members', () => {
    const html = page('index.html');
    expect(textOf(elementOf(html, 'Query.search'))).toContain('search: [SearchResult!]!');
    expect(elementOf(html, 'Query.search')).toContain('<a href="#SearchResult">SearchResult</a>');
    expect(textOf(elementOf(html, 'Query.products(sort:)'))).toContain('sort: Sort = NAME');
    expect(textOf(elementOf(html, 'NewProduct.cost'))).toContain('cost: Int = 0');
    expect(textOf(elementOf(html, 'Node'))).toContain('Implemented by Brand, Product');
    expect(textOf(elementOf(html, 'Product'))).toContain('Implements Node');
    expect(textOf(elementOf(html, 'SearchResult'))).toContain('One of Brand, Product');
  });

  it('shows each deprecation with its reason, and lists them all', () => {
    const html = page('index.html');
    expect(elementOf(html, 'Product.title')).toContain('is-deprecated');
    expect(textOf(elementOf(html, 'Product.title'))).toContain('Deprecated: Use name.');
    expect(textOf(elementOf(html, 'Sort.OLDEST'))).toContain('Deprecated: Nobody sorts by age.');
    const listed = textOf(html.slice(html.indexOf('id="section-deprecations"')));
    expect(listed).toContain('Product.title Use name.');
    expect(listed).toContain('Sort.OLDEST Nobody sorts by age.');
  });

  it('badges each element with the contracts that include it', () => {
    const html = page('index.html');
    const badges = (coordinate: string) => /data-contracts="([^"]*)"/.exec(elementOf(html, coordinate))?.[1];
    for (const coordinate of ['Product.name', 'Query.products(sort:)', 'Sort.NAME', 'NewProduct.upc', 'Product']) {
      expect(badges(coordinate), coordinate).toBe('full partner');
    }
    for (const coordinate of ['Product.cost', 'Query.products(first:)', 'Sort.MARGIN', 'NewProduct.cost', 'Brand', 'Brand.name']) {
      expect(badges(coordinate), coordinate).toBe('full');
    }
    expect(textOf(elementOf(html, 'Product.cost'))).toContain('cost: Int full What the product costs us');
  });

  it("gives the contract a page with exactly the contract's schema", () => {
    const html = page('partner/index.html');
    expect(idsOf(html)).toEqual(schemaCoordinates(partner));
    expect(idsOf(html).has('Product.cost')).toBe(false);
    expect(html).not.toContain('What the product costs us');
    expect(html).not.toContain('data-contracts');
    expectEveryElementDescribed(html, partner);
    expect(textOf(elementOf(html, 'SearchResult'))).toContain('One of Product');
    expect(textOf(elementOf(html, 'Node'))).toContain('Implemented by Product');
    expect(html).toContain('<a href="../changelog.html">Changelog</a>');
  });

  it('escapes descriptions: a <script> in the SDL is text on the page', () => {
    expect(page('index.html')).toContain('The catalogue&#39;s entry points. &lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;');
    expect(page('index.html')).toContain('One product by UPC, or <code>null</code> when there is none.');
  });

  it('lists every changelog entry with the severity of each change', () => {
    const text = textOf(page('changelog.html'));
    expect(text).toContain('2026-03-01 1 breaking, 1 dangerous, 1 safe.');
    expect(text).toContain('Breaking Product.price Product.price was removed.');
    expect(text).toContain('Dangerous Sort.MARGIN MARGIN was added to enum type Sort.');
    expect(text).toContain('Safe Product.cost Product.cost was added.');
    expect(text).toContain('2026-02-01 First publication of the schema.');
    // Links to what the reference still documents; Product.price is gone.
    expect(page('changelog.html')).toContain('<a href="index.html#Product.cost"><code>Product.cost</code></a>');
    expect(page('changelog.html')).not.toContain('href="index.html#Product.price"');
  });

  it('is self-contained and gives the same bytes for the same input', async () => {
    const site = buildDocsSite({ version: schemaVersionOf(compose('')), source: 'current', contracts: await readContractSchemas(dir), changelog });
    expectSelfContained(site);
    expect(site.map(({ path, html }) => [path, html])).toEqual([...pages.entries()]);
  });

  it('without contracts.yaml has no contract pages and no badges', async () => {
    expect(await readContractSchemas(join(dir, 'contracts'))).toEqual([]);
    const site = buildDocsSite({ version: schemaVersionOf(compose('')), source: 'current', contracts: [], changelog });
    expect(site.map(({ path }) => path)).toEqual(['index.html', 'changelog.html']);
    expect(site[0]?.html).not.toContain('class="badge');
    expect(site[0]?.html).toContain('<a href="index.html" class="current" aria-current="page">Full schema</a>\n<a href="changelog.html">Changelog</a>');
  });

  it('names the contract supergraph compose has not written yet', async () => {
    const uncomposed = join(dir, 'uncomposed');
    await mkdir(uncomposed);
    await writeFile(join(uncomposed, 'contracts.yaml'), 'contracts:\n  partner:\n    include: [partner]\n');
    await expect(readContractSchemas(uncomposed)).rejects.toThrow(/names the contract partner but .*contracts\/partner\.graphql is missing: run npm run compose\./);
  });
});
