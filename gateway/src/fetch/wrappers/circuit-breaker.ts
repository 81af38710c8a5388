import type { CircuitBreaker, CircuitPermit } from '#gateway/fetch/circuit-breaker.js';
import { SubgraphTransportError } from '#gateway/fetch/subgraph-transport-error.js';
import type { FetchHooks, SubgraphExchange, SubgraphFetchFailure, TransportWrapper } from '#gateway/fetch/transport.js';

/**
 * Fails fetches fast while `breaker` (fetch/circuit-breaker.ts) holds the
 * subgraph's circuit open, and tells it how each fetch let through went.
 * Innermost, so the wrappers above see its refusals as failures.
 */
export function circuitBreakerWrapper(breaker: CircuitBreaker): TransportWrapper {
  return (transport) => new FetchAdmission(breaker, transport.name);
}

class FetchAdmission implements FetchHooks<CircuitPermit> {
  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly subgraph: string,
  ) {}

  before(): CircuitPermit {
    const permit = this.breaker.admit();
    if (!permit) {
      throw new SubgraphTransportError(this.subgraph, 'circuit-open', `The ${this.subgraph} subgraph is unavailable (circuit open).`, { attempts: 0 });
    }
    return permit;
  }

  /** A GraphQL answer with a 5xx still counts against the subgraph. */
  answered(exchange: SubgraphExchange, permit: CircuitPermit): void {
    if (exchange.status >= 500) permit.failed();
    else permit.succeeded();
  }

  failed(_exchange: SubgraphExchange, error: unknown, permit: CircuitPermit): void {
    // Not the subgraph's doing (signing the gateway token failed, say).
    if (!(error instanceof SubgraphTransportError)) permit.abandoned();
    else report(permit, error.failure);
  }
}

/**
 * Which failures say the subgraph is unwell. A deadline is the caller giving
 * up, and so is a request whose answers passed its budget; an answer too
 * large is the query's size, from a subgraph that answered.
 */
function report(permit: CircuitPermit, failure: SubgraphFetchFailure): void {
  if (failure === 'deadline' || failure === 'over-budget') permit.abandoned();
  else if (failure === 'too-large') permit.succeeded();
  else permit.failed();
}
