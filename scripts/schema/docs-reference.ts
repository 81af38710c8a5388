import { isIntrospectionType, isSpecifiedScalarType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import { listDeprecations } from './deprecations.js';
import { anchor, escapeHtml, renderDescription } from './docs-html.js';
import { kindOf, renderType, type DocsScope, type TypeKind } from './docs-types.js';

/**
 * The reference page's content: the root operation types first (what a
 * partner can ask for), then every other type grouped by kind, alphabetical,
 * and the deprecations still in the schema; plus the table of contents.
 */
export type Reference = { sidebar: string; main: string };

const GROUPS: readonly { kind: TypeKind; heading: string }[] = [
  { kind: 'object', heading: 'Objects' },
  { kind: 'interface', heading: 'Interfaces' },
  { kind: 'union', heading: 'Unions' },
  { kind: 'enum', heading: 'Enums' },
  { kind: 'input', heading: 'Input objects' },
  { kind: 'scalar', heading: 'Scalars' },
];

const byName = (a: GraphQLNamedType, b: GraphQLNamedType) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function tocList(heading: string, types: readonly GraphQLNamedType[]): string {
  if (types.length === 0) return '';
  const items = types.map((type) => `<li><a href="#${anchor(type.name)}">${escapeHtml(type.name)}</a></li>`).join('');
  return `<h2>${escapeHtml(heading)}</h2><ul>${items}</ul>`;
}

function section(id: string, heading: string, body: string): string {
  return body === '' ? '' : `<section id="${id}">\n<h2>${escapeHtml(heading)}</h2>\n${body}\n</section>`;
}

function deprecations(schema: GraphQLSchema, scope: DocsScope): string {
  const shown = listDeprecations(schema).filter((found) => scope.shows(found.coordinate));
  if (shown.length === 0) return '';
  const items = shown.map(
    ({ coordinate, reason }) => `<li><a href="#${anchor(coordinate)}"><code>${escapeHtml(coordinate)}</code></a> ${renderDescription(reason)}</li>`,
  );
  return `<p>Still served, to be removed once no registered operation uses them.</p>\n<ul class="changes">${items.join('')}</ul>`;
}

export function renderReference(schema: GraphQLSchema, scope: DocsScope): Reference {
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
    (type): type is NonNullable<typeof type> => type !== null && type !== undefined && scope.shows(type.name),
  );
  const rootNames = new Set(roots.map((type) => type.name));
  const others = Object.values(schema.getTypeMap())
    .filter((type) => !isIntrospectionType(type) && !isSpecifiedScalarType(type) && !rootNames.has(type.name) && scope.shows(type.name))
    .sort(byName);
  const groups = GROUPS.map((group) => ({ ...group, types: others.filter((type) => kindOf(type) === group.kind) }));
  const deprecated = deprecations(schema, scope);

  const sidebar = [
    tocList('Operations', roots),
    ...groups.map((group) => tocList(group.heading, group.types)),
    deprecated === '' ? '' : '<h2><a href="#section-deprecations">Deprecations</a></h2>',
  ]
    .filter((part) => part !== '')
    .join('\n');
  const main = [
    section('section-operations', 'Operations', roots.map((type) => renderType(schema, type, scope)).join('\n')),
    ...groups.map((group) => section(`section-${group.kind}`, group.heading, group.types.map((type) => renderType(schema, type, scope)).join('\n'))),
    section('section-deprecations', 'Deprecations', deprecated),
  ]
    .filter((part) => part !== '')
    .join('\n');
  return { sidebar, main };
}
