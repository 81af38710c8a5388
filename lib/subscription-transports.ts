/**
 * SUBSCRIPTION_TRANSPORTS: how the gateway subscribes to each subgraph.
 * Comma-separated `<subgraph>:ws|sse[=<url>]` entries, e.g.
 * `reviews:sse=http://reviews:4002/graphql/stream,inventory:ws`. A subgraph
 * not named is subscribed to over graphql-ws at its routing URL (http → ws).
 */
export type SubscriptionProtocol = 'ws' | 'sse';

export type SubscriptionRoute = {
  protocol: SubscriptionProtocol;
  /** Where to subscribe; the subgraph's routing URL (as ws(s):// for graphql-ws) when absent. */
  url?: string;
};

export type SubscriptionTransports = ReadonlyMap<string, SubscriptionRoute>;

const ENTRY = /^([A-Za-z_][A-Za-z0-9_-]*):(ws|sse)(?:=(.+))?$/;

/** Every entry's problem, or the routes by subgraph name. */
export function parseSubscriptionTransports(entries: readonly string[]): { ok: true; transports: SubscriptionTransports } | { ok: false; problems: string[] } {
  const transports = new Map<string, SubscriptionRoute>();
  const problems: string[] = [];
  for (const entry of entries) {
    const match = ENTRY.exec(entry);
    if (!match) {
      problems.push(`"${entry}" is not <subgraph>:ws|sse[=<url>]`);
      continue;
    }
    const [, subgraph = '', protocol, url] = match;
    if (transports.has(subgraph)) {
      problems.push(`subgraph "${subgraph}" is given a subscription transport twice`);
      continue;
    }
    const schemes = protocol === 'ws' ? /^(wss?|https?):\/\//i : /^https?:\/\//i;
    if (url !== undefined && (!schemes.test(url) || !URL.canParse(url))) {
      problems.push(`"${entry}": the URL must be ${protocol === 'ws' ? 'a ws(s):// or http(s)://' : 'an http(s)://'} URL`);
      continue;
    }
    transports.set(subgraph, { protocol: protocol as SubscriptionProtocol, ...(url === undefined ? {} : { url }) });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, transports };
}
