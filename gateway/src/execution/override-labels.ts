import type { IncomingHttpHeaders } from 'node:http';
import { Kind, parse, visit } from 'graphql';
import type { Identity } from '#lib/identity.js';
import { parseClientSettings } from '#lib/client-settings.js';

/**
 * Progressive `@override` (Federation 2.7): `@override(from: "a", label: "…")`
 * moves a field to the overriding subgraph only while its label is active.
 * A `percent(N)` label is active for N% of requests, drawn per request; any
 * other label is active where the gateway's configuration says (every
 * request, some clients, or a request header). Each set of active labels has
 * plans of its own. Stock @apollo/gateway plans every label as inactive;
 * this follows Apollo Router.
 */
export type OverrideLabelSettings = {
  /** Active on every request (OVERRIDE_LABELS). */
  always: ReadonlySet<string>;
  /** Active for the requests of these clients (OVERRIDE_LABEL_CLIENTS, `<client>=<label>|<label>`). */
  byClient: ReadonlyMap<string, ReadonlySet<string>>;
  /** A request header whose comma-separated labels are active for that request (OVERRIDE_LABEL_HEADER). */
  header: string | undefined;
};

export function overrideLabelSettings(env: {
  OVERRIDE_LABELS?: readonly string[] | undefined;
  OVERRIDE_LABEL_CLIENTS?: readonly string[] | undefined;
  OVERRIDE_LABEL_HEADER?: string | undefined;
}): OverrideLabelSettings {
  const clients = parseClientSettings(env.OVERRIDE_LABEL_CLIENTS ?? [], {
    setting: 'OVERRIDE_LABEL_CLIENTS',
    syntax: '<client>=<label>|<label>…',
    noun: 'labels',
  });
  return {
    always: new Set(env.OVERRIDE_LABELS ?? []),
    byClient: new Map([...clients].map(([client, labels]) => [client, new Set(labels.split('|').map((label) => label.trim()).filter(Boolean))])),
    header: env.OVERRIDE_LABEL_HEADER?.toLowerCase(),
  };
}

/** At most this many labels are read from a request's header. */
const MAX_HEADER_LABELS = 32;

/** The labels a request asks for through the configuration: undefined when none. */
export function requestedLabels(settings: OverrideLabelSettings, identity: Identity | null, headers: IncomingHttpHeaders): ReadonlySet<string> | undefined {
  const client = identity?.client ? settings.byClient.get(identity.client) : undefined;
  const header = settings.header ? headers[settings.header] : undefined;
  if (!client && typeof header !== 'string' && settings.always.size === 0) return undefined;
  const labels = new Set(settings.always);
  for (const label of client ?? []) labels.add(label);
  if (typeof header === 'string') {
    for (const label of header.split(',', MAX_HEADER_LABELS)) if (label.trim()) labels.add(label.trim());
  }
  return labels;
}

/** The override labels a supergraph's `@join__field(overrideLabel:)` use, sorted. */
export function overrideLabelsOf(supergraphSdl: string): string[] {
  const labels = new Set<string>();
  visit(parse(supergraphSdl), {
    Directive(directive) {
      if (directive.name.value !== 'join__field') return;
      const label = directive.arguments?.find((argument) => argument.name.value === 'overrideLabel')?.value;
      if (label?.kind === Kind.STRING) labels.add(label.value);
    },
  });
  return [...labels].sort();
}

const PERCENT = /^percent\((\d{1,3}(?:\.\d{1,8})?)\)$/;

/**
 * Which of the supergraph's labels are active for one request: `percent(N)`
 * ones drawn with `random`, the others when requested. The planner's map,
 * and its key for the plan cache (the active labels, comma-separated).
 */
export function activeLabels(labels: readonly string[], requested: ReadonlySet<string> | undefined, random: () => number): { conditions: Map<string, boolean>; key: string } {
  const conditions = new Map<string, boolean>();
  let key = '';
  for (const label of labels) {
    const percent = PERCENT.exec(label);
    const active = percent ? random() * 100 < Number(percent[1]) : requested?.has(label) === true;
    conditions.set(label, active);
    if (active) key += key ? `,${label}` : label;
  }
  return { conditions, key };
}
