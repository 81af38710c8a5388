import type { GraphQLSchema } from 'graphql';
import { expect } from 'vitest';
import type { DocsPage } from '../../scripts/schema/docs-site.js';
import { describedElements, elementOf, plain, textOf } from './docs-pages.js';

/** What every docs site must satisfy, whatever schema it documents. */

/** Every element of the schema has its element on the page, with its description as a reader sees it. */
export function expectEveryElementDescribed(html: string, schema: GraphQLSchema): void {
  for (const { coordinate, description } of describedElements(schema)) {
    const text = textOf(elementOf(html, coordinate));
    if (description) expect(text, coordinate).toContain(plain(description));
  }
}

/** No page loads anything: no stylesheet, script, import or URL to fetch. */
export function expectSelfContained(pages: readonly DocsPage[]): void {
  for (const { path, html } of pages) {
    expect(html, path).not.toMatch(/<link\b/i);
    expect(html, path).not.toMatch(/<script\b/i);
    expect(html, path).not.toMatch(/@import/i);
    expect(html, path).not.toMatch(/url\(/i);
    expect(html, path).not.toMatch(/(src|href)="(https?:)?\/\//i);
  }
}
