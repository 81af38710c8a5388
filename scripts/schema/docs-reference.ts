import { isIntrospectionType, isSpecifiedScalarType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import { listDeprecations } from './deprecations.js';
import { escapeHtml, renderDescription, renderSummary } from './docs-html.js';
import { KIND_LABELS, kindOf, type DocsScope, type TypeKind } from './docs-types.js';

/**
 * A site's reference, split by type: which types it documents, grouped (the
 * root operation types first: what a partner can ask for; then every other
 * type by kind, alphabetical), the overview page listing them with the first
 * paragraph of each description and the deprecations still in the schema,
 * and the table of contents every page of the site shares.
 */
export type TypeGroup = { id: string; heading: string; types: readonly GraphQLNamedType[] };

const GROUPS: readonly { kind: TypeKind; heading: string }[] = [
  { kind: 'object', heading: 'Objects' },
  { kind: 'interface', heading: 'Interfaces' },
  { kind: 'union', heading: 'Unions' },
  { kind: 'enum', heading: 'Enums' },
  { kind: 'input', heading: 'Input objects' },
  { kind: 'scalar', heading: 'Scalars' },
];

const byName = (a: GraphQLNamedType, b: GraphQLNamedType) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The path of a type's page, from its site's folder. */
export const typePagePath = (name: string) => `types/${name}.html`;

/** The documented types of the schema in the order the site lists them; empty groups left out. */
export function typeGroups(schema: GraphQLSchema, shows: (coordinate: string) => boolean): TypeGroup[] {
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
    (type): type is NonNullable<typeof type> => type !== null && type !== undefined && shows(type.name),
  );
  const rootNames = new Set(roots.map((type) => type.name));
  const others = Object.values(schema.getTypeMap())
    .filter((type) => !isIntrospectionType(type) && !isSpecifiedScalarType(type) && !rootNames.has(type.name) && shows(type.name))
    .sort(byName);
  return [
    { id: 'section-operations', heading: 'Operations', types: roots },
    ...GROUPS.map((group) => ({ id: `section-${group.kind}`, heading: group.heading, types: others.filter((type) => kindOf(type) === group.kind) })),
  ].filter((group) => group.types.length > 0);
}

/** The deprecated elements the scope shows, each linked to where it is documented. */
function deprecations(schema: GraphQLSchema, scope: DocsScope): string {
  const shown = listDeprecations(schema).filter((found) => scope.shows(found.coordinate));
  if (shown.length === 0) return '';
  const items = shown.map(
    ({ coordinate, reason }) =>
      `<li><a href="${escapeHtml(scope.href(coordinate))}"><code>${escapeHtml(coordinate)}</code></a> ${renderDescription(reason)}</li>`,
  );
  return `<p>Still served, to be removed once no registered operation uses them.</p>\n<ul class="changes">${items.join('')}</ul>`;
}

export const hasDeprecations = (schema: GraphQLSchema, scope: DocsScope) => listDeprecations(schema).some((found) => scope.shows(found.coordinate));

/** Where a page of the site is in the table of contents: one of its start pages, or a type's page. */
export type Current = 'getting-started' | 'overview' | 'changelog' | { type: string };

/**
 * The table of contents, from a page `up` folders below its site's folder
 * (`''` or `'../'`): the start pages, every type by group, the deprecations.
 */
export function renderSidebar(groups: readonly TypeGroup[], options: { up: string; current: Current; deprecations: boolean }): string {
  const { up, current } = options;
  const link = (href: string, label: string, here: boolean) =>
    `<li><a href="${escapeHtml(up + href)}"${here ? ' aria-current="page"' : ''}>${escapeHtml(label)}</a></li>`;
  const start =
    '<h2>Start here</h2><ul>' +
    link('getting-started.html', 'Getting started', current === 'getting-started') +
    link('index.html', 'Overview', current === 'overview') +
    '</ul>';
  const currentType = typeof current === 'object' ? current.type : undefined;
  const lists = groups.map(
    (group) => `<h2>${escapeHtml(group.heading)}</h2><ul>${group.types.map((type) => link(typePagePath(type.name), type.name, type.name === currentType)).join('')}</ul>`,
  );
  const deprecated = options.deprecations ? `<h2><a href="${escapeHtml(up)}index.html#section-deprecations">Deprecations</a></h2>` : '';
  return [start, ...lists, deprecated].filter((part) => part !== '').join('\n');
}

/** The overview (the site's index.html): every type with its summary, then the deprecations. */
export function renderOverview(schema: GraphQLSchema, scope: DocsScope, groups: readonly TypeGroup[], intro: string): string {
  const sections = groups.map((group) => {
    const items = group.types.map(
      (type) =>
        `<li><a href="${escapeHtml(scope.href(type.name))}"><code>${escapeHtml(type.name)}</code></a> <span class="kind">${KIND_LABELS[kindOf(type)]}</span>` +
        `${type.description ? ` <span class="summary">${renderSummary(type.description)}</span>` : ''}</li>`,
    );
    return `<section id="${group.id}">\n<h2>${escapeHtml(group.heading)}</h2>\n<ul class="overview">${items.join('')}</ul>\n</section>`;
  });
  const deprecated = deprecations(schema, scope);
  if (deprecated !== '') sections.push(`<section id="section-deprecations">\n<h2>Deprecations</h2>\n${deprecated}\n</section>`);
  return [intro, ...sections].join('\n');
}
