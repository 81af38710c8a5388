import type { GraphQLSchema } from 'graphql';
import { expect } from 'vitest';
import { SEARCH_SCRIPT } from '../../scripts/schema/docs-search-script.js';
import type { DocsFile } from '../../scripts/schema/docs-site.js';
import { describedElements, elementOf, plain, textOf, typePageOf } from './docs-pages.js';

/** What every docs site must satisfy, whatever schema it documents. */

/** Every element of the schema has its element on its type's page, with its description as a reader sees it. */
export function expectEveryElementDescribed(pages: ReadonlyMap<string, string>, schema: GraphQLSchema, dir = ''): void {
  for (const { coordinate, description } of describedElements(schema)) {
    const text = textOf(elementOf(typePageOf(pages, coordinate, dir), coordinate));
    if (description) expect(text, coordinate).toContain(plain(description));
  }
}

/**
 * No page loads anything but its site's search index, a file beside it: no
 * stylesheet, other script, import or URL to fetch; the one inline script is
 * the search's. Every relative link and script leads to a file of the site.
 */
export function expectSelfContained(files: readonly DocsFile[]): void {
  const paths = new Set(files.map(({ path }) => path));
  for (const { path, content } of files.filter((file) => file.path.endsWith('.html'))) {
    expect(content, path).not.toMatch(/<link\b/i);
    expect(content, path).not.toMatch(/@import/i);
    expect(content, path).not.toMatch(/url\(/i);
    expect(content, path).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(content, path).not.toMatch(/<[^>]*\son[a-z]+=/i);
    const scripts = [...content.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].map((match) => ({ attributes: match[1] ?? '', body: match[2] ?? '' }));
    expect(scripts.map(({ attributes }) => attributes.replace(/src="(\.\.\/)*search-index\.js"/, 'src="search-index.js"')), path).toEqual([
      ' src="search-index.js" data-search-index',
      '',
    ]);
    expect(scripts[1]?.body, path).toBe(SEARCH_SCRIPT);
    const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
    for (const [, target = ''] of content.matchAll(/(?:src|href)="([^"#]+)(?:#[^"]*)?"/g)) {
      expect(paths, `${path} links to ${target}`).toContain(new URL(target, `file:///site/${folder}`).pathname.slice('/site/'.length));
    }
  }
}
