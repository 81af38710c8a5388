import {
  astFromValue,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  print,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql';
import { anchor, escapeHtml, renderDescription } from './docs-html.js';

/**
 * What one page of the docs shows: the full schema (every element, with
 * badges naming the contracts that include it) or one contract's page (only
 * what that contract includes, no badges: everything there is in it).
 */
export type DocsScope = {
  shows(coordinate: string): boolean;
  /** The badges of an element ("full" and each contract including it); empty on a contract's page. */
  badgesOf(coordinate: string): readonly string[];
  /** Where an element is documented, relative to the page being written (its type's page). */
  href(coordinate: string): string;
};

export const KIND_LABELS = { object: 'type', interface: 'interface', union: 'union', enum: 'enum', input: 'input', scalar: 'scalar' } as const;
export type TypeKind = keyof typeof KIND_LABELS;

export function kindOf(type: GraphQLNamedType): TypeKind {
  if (isObjectType(type)) return 'object';
  if (isInterfaceType(type)) return 'interface';
  if (isUnionType(type)) return 'union';
  if (isEnumType(type)) return 'enum';
  if (isInputObjectType(type)) return 'input';
  return 'scalar';
}

/** `data-contracts` says the same as the badges, for tools and tests. */
function badges(scope: DocsScope, coordinate: string): { attribute: string; html: string } {
  const names = scope.badgesOf(coordinate);
  if (names.length === 0) return { attribute: '', html: '' };
  const html = names.map((name) => `<span class="badge${name === 'full' ? '' : ' contract'}">${escapeHtml(name)}</span>`).join('');
  return { attribute: ` data-contracts="${escapeHtml(names.join(' '))}"`, html: ` <span class="badges">${html}</span>` };
}

/** A type as written in SDL (`[Review!]!`), the named type linked when the page documents it. */
export function typeReference(type: GraphQLType, scope: DocsScope): string {
  if (isNonNullType(type)) return `${typeReference(type.ofType, scope)}!`;
  if (isListType(type)) return `[${typeReference(type.ofType, scope)}]`;
  const name = escapeHtml(type.name);
  return isSpecifiedScalarType(type) || !scope.shows(type.name) ? name : `<a href="${escapeHtml(scope.href(type.name))}">${name}</a>`;
}

function defaultValue(value: unknown, type: GraphQLInputType): string {
  if (value === undefined) return '';
  const ast = astFromValue(value, type);
  return ast ? ` = <code>${escapeHtml(print(ast))}</code>` : '';
}

function deprecation(reason: string | null | undefined): string {
  if (reason === null || reason === undefined) return '';
  return `<div class="deprecated"><strong>Deprecated:</strong> ${renderDescription(reason)}</div>`;
}

type Member = { coordinate: string; name: string; type?: string; suffix?: string; description: string | null | undefined; deprecationReason: string | null | undefined };

function member(scope: DocsScope, kind: string, entry: Member, extra = '', tag: 'div' | 'li' = 'div'): string {
  const { attribute, html } = badges(scope, entry.coordinate);
  const classes = `member ${kind}${entry.deprecationReason === null || entry.deprecationReason === undefined ? '' : ' is-deprecated'}`;
  const id = anchor(entry.coordinate);
  const type = entry.type === undefined ? '' : `: ${entry.type}`;
  return (
    `<${tag} class="${classes}" id="${id}"${attribute}>` +
    `<div><span class="signature"><a href="#${id}">${escapeHtml(entry.name)}</a>${type}</span>${entry.suffix ?? ''}${html}</div>` +
    `${renderDescription(entry.description)}${deprecation(entry.deprecationReason)}${extra}</${tag}>`
  );
}

function argumentList(scope: DocsScope, owner: string, args: readonly GraphQLArgument[]): string {
  const shown = args.filter((argument) => scope.shows(`${owner}(${argument.name}:)`));
  if (shown.length === 0) return '';
  const items = shown.map((argument) =>
    member(
      scope,
      'argument',
      {
        coordinate: `${owner}(${argument.name}:)`,
        name: argument.name,
        type: typeReference(argument.type, scope),
        suffix: defaultValue(argument.defaultValue, argument.type),
        description: argument.description,
        deprecationReason: argument.deprecationReason,
      },
      '',
      'li',
    ),
  );
  return `<ul class="arguments">${items.join('')}</ul>`;
}

function field(scope: DocsScope, typeName: string, entry: GraphQLField<unknown, unknown>): string {
  const coordinate = `${typeName}.${entry.name}`;
  const { description, deprecationReason } = entry;
  const type = typeReference(entry.type, scope);
  return member(scope, 'field', { coordinate, name: entry.name, type, description, deprecationReason }, argumentList(scope, coordinate, entry.args));
}

function inputField(scope: DocsScope, typeName: string, entry: GraphQLInputField): string {
  const { description, deprecationReason } = entry;
  const suffix = defaultValue(entry.defaultValue, entry.type);
  return member(scope, 'field', { coordinate: `${typeName}.${entry.name}`, name: entry.name, type: typeReference(entry.type, scope), suffix, description, deprecationReason });
}

function related(label: string, types: readonly GraphQLNamedType[], scope: DocsScope): string {
  const shown = types.filter((type) => scope.shows(type.name)).map((type) => type.name).sort();
  if (shown.length === 0) return '';
  const links = shown.map((name) => `<a href="${escapeHtml(scope.href(name))}">${escapeHtml(name)}</a>`);
  return `<p class="related">${label} ${links.join(', ')}</p>`;
}

function membersOf(schema: GraphQLSchema, type: GraphQLNamedType, scope: DocsScope): string {
  const shown = <T extends { name: string }>(entries: readonly T[]) => entries.filter((entry) => scope.shows(`${type.name}.${entry.name}`));
  if (isObjectType(type) || isInterfaceType(type)) {
    const implementations = isInterfaceType(type) ? schema.getImplementations(type) : undefined;
    return [
      related('Implements', type.getInterfaces(), scope),
      implementations ? related('Implemented by', [...implementations.objects, ...implementations.interfaces], scope) : '',
      ...shown(Object.values(type.getFields())).map((entry) => field(scope, type.name, entry)),
    ].join('\n');
  }
  if (isUnionType(type)) return related('One of', type.getTypes(), scope);
  if (isEnumType(type)) {
    return shown(type.getValues())
      .map((value) => member(scope, 'value', { coordinate: `${type.name}.${value.name}`, name: value.name, description: value.description, deprecationReason: value.deprecationReason }))
      .join('\n');
  }
  if (isInputObjectType(type)) return shown(Object.values(type.getFields())).map((entry) => inputField(scope, type.name, entry)).join('\n');
  if (isScalarType(type) && type.specifiedByURL) {
    return `<p class="related">Specified by <code>${escapeHtml(type.specifiedByURL)}</code></p>`;
  }
  return '';
}

/** One type's page content: heading, description, related types, then its fields, values or members. */
export function renderType(schema: GraphQLSchema, type: GraphQLNamedType, scope: DocsScope): string {
  const { attribute, html } = badges(scope, type.name);
  const id = anchor(type.name);
  return (
    `<section class="type" id="${id}"${attribute}>\n` +
    `<h1><span class="kind">${KIND_LABELS[kindOf(type)]}</span> <a href="#${id}">${escapeHtml(type.name)}</a>${html}</h1>\n` +
    `${renderDescription(type.description)}\n${membersOf(schema, type, scope)}\n</section>`
  );
}
