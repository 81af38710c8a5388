import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { schemaCoordinates } from '../../scripts/schema/schema-coordinates.js';

/**
 * Reading the generated docs pages the way a partner does, without a DOM:
 * elements are found by their id (the schema coordinate) and read as text.
 */
const decode = (text: string) =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const attribute = (coordinate: string) => coordinate.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** The ids on a page that name schema elements (section ids start with `section-`). */
export function idsOf(html: string): Set<string> {
  return new Set([...html.matchAll(/ id="([^"]+)"/g)].map((match) => decode(match[1] ?? '')).filter((id) => !id.startsWith('section-')));
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
