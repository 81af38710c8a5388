import type { HeaderRule } from '#lib/header-propagation.js';
import type { FetchHooks, SubgraphExchange, TransportWrapper } from '#gateway/fetch/transport.js';

/**
 * Adds the client's headers PROPAGATE_HEADERS forwards to this subgraph to
 * each fetch, under the names its rules give (lib/header-propagation.ts).
 * Made only for a subgraph that has rules: the others' fetches, and every
 * fetch when the setting is unset, never run it.
 */
export function propagatedHeadersWrapper(rules: readonly HeaderRule[]): TransportWrapper {
  return () => new PropagatedHeaders(rules);
}

class PropagatedHeaders implements FetchHooks<undefined> {
  constructor(private readonly rules: readonly HeaderRule[]) {}

  before(exchange: SubgraphExchange): undefined {
    // The request's headers, read once (stages/propagate-headers/); undefined when it sent none of them.
    const sent = exchange.context?.clientHeaders;
    if (sent === undefined) return undefined;
    for (const { from, to } of this.rules) {
      const value = sent[from];
      // The transport sends these with its own (which no rule may name).
      if (value !== undefined) (exchange.headers ??= {})[to] = value;
    }
    return undefined;
  }
}
