import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import type { DocsFile } from '../../scripts/schema/docs-site.js';
import { schemaCoordinates } from '../../scripts/schema/schema-coordinates.js';

/**
 * Reading the generated docs pages the way a partner does, without a DOM:
 * elements are found by their id (the schema coordinate) and read as text.
 */
/** Entities back to characters. */
export const decode = (text: string) =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const attribute = (coordinate: string) => coordinate.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** The ids in a page's main content that name schema elements (section ids start with `section-`). */
export function idsOf(html: string): Set<string> {
  const start = html.indexOf('<main');
  const main = start === -1 ? html : html.slice(start + '<main id="main">'.length, html.indexOf('</main>'));
  return new Set([...main.matchAll(/ id="([^"]+)"/g)].map((match) => decode(match[1] ?? '')).filter((id) => !id.startsWith('section-')));
}

/** A site's pages by path (`index.html`, `partner/types/Product.html`). */
export const pagesOf = (files: readonly DocsFile[]) => new Map(files.map(({ path, content }) => [path, content]));

/** The type pages of the site in `dir` (`''` or `partner/`), by type name. */
export function typePagesOf(pages: ReadonlyMap<string, string>, dir = ''): Map<string, string> {
  const prefix = `${dir}types/`;
  return new Map([...pages].filter(([path]) => path.startsWith(prefix) && !path.slice(prefix.length).includes('/')).map(([path, html]) => [path.slice(prefix.length, -'.html'.length), html]));
}

/** Every element id across a site's type pages: one page per type, each with its fields, arguments and values. */
export function siteIdsOf(pages: ReadonlyMap<string, string>, dir = ''): Set<string> {
  return new Set([...typePagesOf(pages, dir).values()].flatMap((html) => [...idsOf(html)]));
}

/** The page documenting a coordinate: its type's page. */
export function typePageOf(pages: ReadonlyMap<string, string>, coordinate: string, dir = ''): string {
  const type = /^[^.(]*/.exec(coordinate)?.[0] ?? coordinate;
  const html = pages.get(`${dir}types/${type}.html`);
  if (html === undefined) throw new Error(`no page for ${type} in ${dir || 'the full API'}`);
  return html;
}

/** An element's opening tag and its own text: up to the next element with an id (its fields or arguments). */
export function elementOf(html: string, coordinate: string): string {
  const start = html.indexOf(` id="${attribute(coordinate)}"`);
  if (start === -1) throw new Error(`no element for ${coordinate}`);
  const next = html.indexOf(' id="', start + 1);
  return html.slice(html.lastIndexOf('<', start), next === -1 ? undefined : html.lastIndexOf('<', next));
}

/** What a reader sees: inline tags gone, the others a space, entities decoded, whitespace collapsed. */
export const textOf = (html: string) =>
  decode(html.replace(/<\/?(a|code|strong|time)\b[^>]*>/g, '').replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
export const plain = (description: string) => description.replace(/`/g, '').replace(/^\s*[-*] /gm, '').replace(/\s+/g, ' ').trim();

/** Every type, field, argument, input field and enum value with its description, in the order the schema has them. */
export function describedElements(schema: GraphQLSchema): { coordinate: string; description: string | null | undefined }[] {
  const found: { coordinate: string; description: string | null | undefined }[] = [];
  for (const coordinate of schemaCoordinates(schema)) {
    const [typeName = '', member] = coordinate.split(/\.(.*)/s);
    const type = schema.getType(typeName);
    if (member === undefined || type === undefined || type === null) {
      found.push({ coordinate, description: type?.description });
    } else if (isObjectType(type) || isInterfaceType(type)) {
      const [fieldName = '', argument] = member.replace(/:\)$/, '').split('(');
      const field = type.getFields()[fieldName];
      found.push({ coordinate, description: argument === undefined ? field?.description : field?.args.find((arg) => arg.name === argument)?.description });
    } else if (isInputObjectType(type)) {
      found.push({ coordinate, description: type.getFields()[member]?.description });
    } else if (isEnumType(type)) {
      found.push({ coordinate, description: type.getValue(member)?.description });
    }
  }
  return found;
}
