import {
  DirectiveLocation,
  GraphQLBoolean,
  GraphQLDirective,
  GraphQLNonNull,
  GraphQLSchema,
  GraphQLString,
  Kind,
  visit,
  type DirectiveNode,
  type DocumentNode,
} from 'graphql';

/**
 * `@defer` as the incremental delivery RFC and Apollo Router's API schema
 * define it (without descriptions, as Router's introspection shows it). graphql-js 16 has no such directive: without it in the schema
 * clients validate and introspect against, `@defer` is an unknown directive.
 */
export const GraphQLDeferDirective = new GraphQLDirective({
  name: 'defer',
  locations: [DirectiveLocation.FRAGMENT_SPREAD, DirectiveLocation.INLINE_FRAGMENT],
  args: {
    label: { type: GraphQLString },
    if: { type: new GraphQLNonNull(GraphQLBoolean), defaultValue: true },
  },
});

/** The schema with `@defer` after its own directives: stock's directives keep their places in introspection. */
export function withDeferDirective(schema: GraphQLSchema): GraphQLSchema {
  if (schema.getDirective('defer')) return schema;
  const config = schema.toConfig();
  return new GraphQLSchema({ ...config, directives: [...config.directives, GraphQLDeferDirective] });
}

/** Whether the document's text can hold a `@defer` at all: the cheap test before any walk. */
export function mayDefer(query: string): boolean {
  return query.includes('@defer');
}

/** The prefix of the labels the gateway gives each `@defer` before planning: unique, and the plan's deferred blocks carry them. */
export const DEFER_ID_PREFIX = 'junction_defer_';

/**
 * The document with every `@defer` labelled by the gateway (`junction_defer_0`,
 * ... in document order), so each deferred block of the plan names the
 * fragment it is for; `labels` maps those back to the client's own (or none).
 * Undefined when the document has no `@defer`.
 */
export function labelDefers(document: DocumentNode): { document: DocumentNode; labels: Map<string, string | undefined> } | undefined {
  const labels = new Map<string, string | undefined>();
  const labelled = visit(document, {
    Directive(directive: DirectiveNode): DirectiveNode | undefined {
      if (directive.name.value !== 'defer') return undefined;
      const id = `${DEFER_ID_PREFIX}${labels.size}`;
      const given = directive.arguments?.find((argument) => argument.name.value === 'label')?.value;
      labels.set(id, given?.kind === Kind.STRING ? given.value : undefined);
      const others = (directive.arguments ?? []).filter((argument) => argument.name.value !== 'label');
      const label = { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'label' }, value: { kind: Kind.STRING, value: id } } as const;
      return { ...directive, arguments: [label, ...others] };
    },
  });
  return labels.size > 0 ? { document: labelled, labels } : undefined;
}

/**
 * The gateway's label of a selection deferred for these variables: `@defer`
 * with `if` true (the default) or a variable that is true; undefined otherwise.
 */
export function activeDefer(directives: readonly DirectiveNode[] | undefined, variables: Readonly<Record<string, unknown>>): string | undefined {
  const directive = directives?.find((each) => each.name.value === 'defer');
  if (!directive) return undefined;
  const condition = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
  if (condition?.kind === Kind.BOOLEAN && !condition.value) return undefined;
  if (condition?.kind === Kind.VARIABLE && variables[condition.name.value] !== true) return undefined;
  const label = directive.arguments?.find((argument) => argument.name.value === 'label')?.value;
  return label?.kind === Kind.STRING ? label.value : undefined;
}
