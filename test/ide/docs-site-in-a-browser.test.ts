import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '#lib/env.js';
import { loadTrustedDocuments } from '#gateway/stages/persisted-documents/persisted-documents.js';
import { readChangelog } from '../../scripts/schema/changelog.js';
import { readContractSchemas } from '../../scripts/schema/contract-schemas.js';
import { readExampleVariables } from '../../scripts/schema/docs-operations.js';
import { docsSettings } from '../../scripts/schema/docs-settings.js';
import { buildDocsSite, writeDocsSite } from '../../scripts/schema/docs-site.js';
import { readPublished } from '../../scripts/schema/published-schema.js';
import { launchBrowser, type HeadlessBrowser } from '../support/browser.js';
import { root } from '../support/schema-workspace.js';

/**
 * The partners' docs of the repository as a partner uses them, in Debian's
 * chromium, opened from disk (file://, no server): type a type's name into
 * the search box and follow the result to its page; read a contract's Getting
 * started page. The pages load nothing but their own files.
 */
let out: string;
let browser: HeadlessBrowser;
const opened: { page: Page; requested: string[] }[] = [];

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'junction-docs-browser-'));
  const published = await readPublished(join(root, 'schema', 'published'));
  if (!published) throw new Error('nothing is published in the repository');
  const documents = join(root, 'trusted-documents');
  const [contracts, changelog, trusted, examples] = await Promise.all([
    readContractSchemas(root),
    readChangelog(join(root, 'schema', 'published')),
    loadTrustedDocuments(documents),
    readExampleVariables(documents),
  ]);
  const site = buildDocsSite({ version: published, source: 'published', contracts, changelog, settings: docsSettings(loadEnv()), registered: { documents: trusted, examples } });
  await writeDocsSite(out, site.files);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

// Whatever a test did, its pages asked only for files of the site.
afterEach(async () => {
  for (const { page, requested } of opened.splice(0)) {
    await page.context().close();
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith(`${pathToFileURL(out).href}/`))).toEqual([]);
  }
});

async function open(path: string): Promise<Page> {
  const { page, requested } = await browser.open();
  opened.push({ page, requested });
  page.setDefaultTimeout(15_000);
  await page.goto(pathToFileURL(join(out, path)).href);
  return page;
}

const searchBox = (page: Page) => page.getByRole('searchbox', { name: 'Search types, fields, operations, error codes and pages' });
const results = (page: Page) => page.getByRole('list', { name: 'Search results' }).getByRole('link');
/** The text of the element, once it is there, as a reader sees it (spaces collapsed). */
const textIn = async (locator: Locator) => {
  await locator.waitFor();
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
};
const heading = (page: Page) => textIn(page.getByRole('heading', { level: 1 }));
const isFocused = (locator: Locator) => locator.evaluate((element) => element === element.ownerDocument.activeElement);

describe('the docs site in chromium, from disk', { timeout: 60_000 }, () => {
  it('finds a type as you type its name, and Enter follows the first result to its page', async () => {
    const page = await open('index.html');
    expect(await heading(page)).toBe('Overview');
    await searchBox(page).pressSequentially('Product');
    expect(await textIn(page.getByRole('status'))).toMatch(/^(\d+ results\.|Showing 20 of \d+ results: keep typing to narrow them\.)$/);
    expect(await textIn(results(page).first())).toMatch(/^type Product Something the store sells/);
    expect(await results(page).first().getAttribute('href')).toMatch(/\/types\/Product\.html$/);
    await searchBox(page).press('Enter');
    await page.waitForURL(/\/types\/Product\.html$/);
    expect(await heading(page)).toMatch(/^type Product\b/);
    expect(await textIn(page.getByRole('main'))).toContain('upc: String!');
  });

  it('moves through the results with the arrow keys, follows one with Enter, and links from a type page to another', async () => {
    const page = await open('types/Query.html');
    await page.keyboard.press('/');
    expect(await isFocused(searchBox(page))).toBe(true);
    await page.keyboard.type('review');
    expect(await textIn(results(page).first())).toMatch(/^type Review\b/);
    await page.keyboard.press('ArrowDown');
    expect(await isFocused(results(page).first())).toBe(true);
    await page.keyboard.press('ArrowDown');
    expect(await isFocused(results(page).nth(1))).toBe(true);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await isFocused(searchBox(page))).toBe(true);
    await page.keyboard.press('Escape');
    expect(await searchBox(page).inputValue()).toBe('');
    expect(await results(page).count()).toBe(0);

    await page.keyboard.type('Product.price');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/types\/Product\.html#Product\.price$/);
    await page.getByRole('main').getByRole('link', { name: 'Review', exact: true }).first().click();
    await page.waitForURL(/\/types\/Review\.html$/);
    expect(await heading(page)).toMatch(/^type Review\b/);
  });

  it("shows a contract's Getting started page: the endpoint, the x-api-key header and an example operation", async () => {
    const page = await open('partner/index.html');
    await page.getByRole('navigation', { name: 'Contents' }).getByRole('link', { name: 'Getting started' }).click();
    await page.waitForURL(/\/partner\/getting-started\.html$/);
    expect(await heading(page)).toBe('Getting started');
    expect(await textIn(page.locator('#section-endpoint'))).toContain('Every request goes to one URL: http://localhost:4000/graphql.');
    const authentication = page.locator('#section-authentication');
    expect(await textIn(authentication.getByRole('heading', { level: 2 }))).toBe('Authentication');
    expect(await textIn(authentication)).toContain('Send your API key in the x-api-key header of every request: x-api-key: <your key>');
    const stockLevel = page.locator('[id="operation-partner.StockLevel"]');
    expect(await textIn(stockLevel.getByRole('heading', { level: 3 }))).toBe('StockLevel');
    expect(await stockLevel.locator('code.graphql').innerText()).toBe('query StockLevel($upc: String!) {\n  product(upc: $upc) {\n    upc\n    inStock\n    quantity\n  }\n}');
    expect(await textIn(stockLevel)).toContain('"upc": "808624066477"');
    expect(await textIn(stockLevel)).toContain('-H "x-api-key: $API_KEY"');

    // The contract's search has its operations and none of the full API's types.
    await searchBox(page).fill('stocklevel');
    await results(page).first().waitFor();
    expect(await results(page).count()).toBe(1);
    await results(page).first().click();
    await page.waitForURL(/\/partner\/getting-started\.html#operation-partner\.StockLevel$/);
    await searchBox(page).fill('CreateUserInput');
    expect(await textIn(page.getByRole('status'))).toBe('No results for "CreateUserInput".');
  });

  it('links the changelog from every page', async () => {
    const page = await open('partner/types/Product.html');
    await page.getByRole('navigation', { name: 'Schemas' }).getByRole('link', { name: 'Changelog' }).click();
    await page.waitForURL(/\/changelog\.html$/);
    expect(await heading(page)).toBe('Changelog');
  });
});
