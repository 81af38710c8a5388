import { GATEWAY_HEADER } from './identity.js';

/**
 * PROPAGATE_HEADERS: which client request headers the gateway forwards to
 * subgraph fetches. Comma-separated entries, each `[<subgraph>:]<header>[><name>]`:
 * without a subgraph, for every subgraph; `><name>` sends it under another
 * name. `accept-language,reviews:x-tenant,products:x-tenant>x-products-tenant`
 * forwards accept-language to every subgraph, and the client's x-tenant to
 * reviews as it is and to products as x-products-tenant. As Apollo Router's
 * `headers: { all, subgraphs: { <name> } }` with `propagate: { named, rename }`,
 * in one variable; there are no patterns, so every forwarded header is named.
 */
export type HeaderRule = {
  /** The client's header, lower-case. */
  readonly from: string;
  /** The name the subgraph gets it under, lower-case. */
  readonly to: string;
};

export type HeaderPropagation = {
  /** Rules for every subgraph. */
  readonly all: readonly HeaderRule[];
  /** Rules for one subgraph each, besides `all`. */
  readonly subgraphs: ReadonlyMap<string, readonly HeaderRule[]>;
};

/** The syntax of one entry, for error messages. */
export const PROPAGATE_HEADERS_SYNTAX = '[<subgraph>:]<header>[><new name>]';

/** Most entries PROPAGATE_HEADERS may have: each fetch walks its subgraph's rules. */
export const MAX_PROPAGATED_HEADERS = 64;

/** Longest value of a propagated header; a request with a longer one is refused (431). Node's values are latin-1: characters are bytes. */
export const MAX_PROPAGATED_HEADER_BYTES = 1024;

const CREDENTIAL = 'a credential: the gateway verifies the caller and sends subgraphs the identity signed in x-junction-gateway instead';
const HOP_BY_HOP = "hop-by-hop: it describes the client's connection to the gateway, not the request";
const OWN_REQUEST = 'set by the gateway on its own request to the subgraph';

/** Headers never propagated, under their own name or renamed to, and why. `proxy-*` too (HOP_BY_HOP). */
const NEVER: ReadonlyMap<string, string> = new Map([
  ['authorization', CREDENTIAL],
  ['proxy-authorization', CREDENTIAL],
  ['cookie', CREDENTIAL],
  ['set-cookie', CREDENTIAL],
  ['x-api-key', CREDENTIAL],
  [GATEWAY_HEADER, "the gateway's own signed identity token, which only the gateway may send"],
  ['connection', HOP_BY_HOP],
  ['keep-alive', HOP_BY_HOP],
  ['transfer-encoding', HOP_BY_HOP],
  ['te', HOP_BY_HOP],
  ['trailer', HOP_BY_HOP],
  ['upgrade', HOP_BY_HOP],
  ['host', OWN_REQUEST],
  ['content-length', OWN_REQUEST],
  ['content-type', OWN_REQUEST],
  ['content-encoding', OWN_REQUEST],
  ['accept', OWN_REQUEST],
  ['accept-encoding', OWN_REQUEST],
  ['x-request-id', `${OWN_REQUEST} (the request's id: the client's own when well-formed)`],
  ['traceparent', `${OWN_REQUEST} (the trace context, continuing the client's)`],
  ['tracestate', `${OWN_REQUEST} (the trace context, continuing the client's)`],
]);

/** Why `name` (lower-case) may never be propagated, or undefined when it may. */
export function neverPropagated(name: string): string | undefined {
  return NEVER.get(name) ?? (name.startsWith('proxy-') ? HOP_BY_HOP : undefined);
}

/** Header names as the repository writes them (OVERRIDE_LABEL_HEADER): letters, digits and dashes. */
const HEADER_NAME = /^[A-Za-z0-9-]+$/;
/** Subgraph names as rover takes them in supergraph.yaml. */
const SUBGRAPH_NAME = /^[A-Za-z0-9_-]+$/;

/** The rules PROPAGATE_HEADERS's entries give, or every problem with them, each naming its entry. */
export function parseHeaderPropagation(entries: readonly string[]): { ok: true; propagation: HeaderPropagation } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const all: HeaderRule[] = [];
  const subgraphs = new Map<string, HeaderRule[]>();
  if (entries.length > MAX_PROPAGATED_HEADERS) problems.push(`at most ${MAX_PROPAGATED_HEADERS} entries, not ${entries.length}`);
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') {
      problems.push(parsed);
      continue;
    }
    const { subgraph, rule } = parsed;
    if (subgraph === undefined) all.push(rule);
    else subgraphs.set(subgraph, [...(subgraphs.get(subgraph) ?? []), rule]);
  }
  problems.push(...twice('every subgraph', all, all));
  // A subgraph gets the rules for all and then its own: each name once in all of them.
  for (const [subgraph, own] of subgraphs) problems.push(...twice(`subgraph "${subgraph}"`, [...all, ...own], own));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, propagation: { all, subgraphs } };
}

/** One entry's subgraph (none: all) and rule, or what is wrong with it. */
function parseEntry(entry: string): { subgraph: string | undefined; rule: HeaderRule } | string {
  const [scope, header, ...extra] = entry.split(':').map((part) => part.trim());
  const subgraph = header === undefined ? undefined : scope;
  const [from = '', to, ...renames] = (header ?? scope ?? '').split('>').map((part) => part.trim().toLowerCase());
  if (extra.length > 0 || renames.length > 0 || from === '' || to === '' || (subgraph !== undefined && !SUBGRAPH_NAME.test(subgraph))) {
    return `"${entry}" is not ${PROPAGATE_HEADERS_SYNTAX}`;
  }
  for (const name of to === undefined ? [from] : [from, to]) {
    if (!HEADER_NAME.test(name)) return `"${entry}": "${name}" is not a header name (letters, digits and dashes)`;
  }
  const never = neverPropagated(from);
  if (never) return `"${from}" can never be propagated: it is ${never}`;
  const renamedTo = to === undefined ? undefined : neverPropagated(to);
  if (renamedTo) return `"${entry}": no header can be renamed to "${to}": it is ${renamedTo}`;
  return { subgraph, rule: { from, to: to ?? from } };
}

/** A problem for each name `rules` would send a subgraph more than once, among those `named` sends. */
function twice(whom: string, rules: readonly HeaderRule[], named: readonly HeaderRule[]): string[] {
  const sources = new Map<string, string[]>();
  for (const { from, to } of rules) sources.set(to, [...(sources.get(to) ?? []), from]);
  return [...new Set(named.map((rule) => rule.to))]
    .map((to) => [to, sources.get(to) ?? []] as const)
    .filter(([, from]) => from.length > 1)
    .map(([to, from]) => `${whom} would get "${to}" ${from.length} times (from ${from.map((name) => `"${name}"`).join(', ')})`);
}

/** The rules for one subgraph's fetches: those for all, then its own. */
export function headerRulesFor(propagation: HeaderPropagation, subgraph: string): readonly HeaderRule[] {
  const own = propagation.subgraphs.get(subgraph);
  return own ? [...propagation.all, ...own] : propagation.all;
}

/** Every client header some rule forwards: what a request's headers are read for, once. */
export function propagatedClientHeaders(propagation: HeaderPropagation): string[] {
  const rules = [...propagation.all, ...[...propagation.subgraphs.values()].flat()];
  return [...new Set(rules.map((rule) => rule.from))];
}

/** The subgraphs PROPAGATE_HEADERS names that are not among `served`, sorted. */
export function unknownSubgraphs(propagation: HeaderPropagation, served: Iterable<string>): string[] {
  const names = new Set(served);
  return [...propagation.subgraphs.keys()].filter((name) => !names.has(name)).sort();
}

/** Why a gateway serving `served` cannot start with these rules (a subgraph name that is likely a typo), or undefined. */
export function unservedSubgraphsProblem(propagation: HeaderPropagation, served: readonly string[]): string | undefined {
  const unknown = unknownSubgraphs(propagation, served);
  if (unknown.length === 0) return undefined;
  return (
    `PROPAGATE_HEADERS names ${unknown.map((name) => `subgraph "${name}"`).join(', ')}, which the supergraph does not have ` +
    `(its subgraphs: ${[...served].sort().join(', ')}).`
  );
}
