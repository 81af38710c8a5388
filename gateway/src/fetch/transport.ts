import type { GraphQLFormattedError } from 'graphql';
import type { NO_ESCAPES, SubgraphFailure, SubgraphResponse } from './subgraph-answer.js';

/**
 * The seam between the executor and the subgraphs. A transport sends one
 * operation to one subgraph (transports/http/ is the HTTP POST one); wrappers
 * (wrappers/) add what every fetch gets whatever the transport: its trace
 * span, log lines, metrics and circuit breaker. The execution layer sees
 * only this file.
 */

export { NO_ESCAPES, type SubgraphResponse } from './subgraph-answer.js';

/** What the gateway keeps of each incoming request, for the fetches it makes. */
export type GatewayContext = {
  requestId: string;
  /** The whole request's deadline: fetches still running when it aborts are abandoned. */
  signal?: AbortSignal;
  /** The caller's identity, signed for the subgraphs (header `x-junction-gateway`). */
  gatewayToken?: () => Promise<string>;
  /**
   * How many bytes of answers the request may hold (MAX_RESPONSE_BYTES). A
   * transport counts each answer's bytes into it as they arrive, and fails the
   * fetch with `over-budget` as soon as the request's answers pass the limit.
   */
  budget?: AnswerBudget;
  /**
   * The client's headers PROPAGATE_HEADERS names, by lower-case name, read
   * once per request (only those it sent); each subgraph's rules pick and
   * rename from them (wrappers/propagated-headers.ts). Undefined when it
   * forwards none.
   */
  clientHeaders?: ClientHeaders | undefined;
};

/** Client request headers by lower-case name, as Node gives them (a repeated header's values joined). */
export type ClientHeaders = Readonly<Record<string, string>>;

/**
 * The bytes one request's answer may hold, shared by its fetches and then by
 * the response writer: subgraph answers as they arrive (`received`) and the
 * JSON text written for the client (`written`), each within `limit`.
 */
export class AnswerBudget {
  received = 0;
  written = 0;
  constructor(readonly limit: number) {}

  /** Counts `bytes` more of a subgraph's answer; false once the request's answers are past the limit. */
  receive(bytes: number): boolean {
    this.received += bytes;
    return this.received <= this.limit;
  }

  /** Whether the subgraphs' answers passed the limit: no further fetch is sent. */
  get exceeded(): boolean {
    return this.received > this.limit;
  }
}

/** One operation for a subgraph, as the query planner made it. */
export type SubgraphFetchRequest = {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string | undefined;
  extensions?: Record<string, unknown> | undefined;
};

/**
 * How a fetch failed: as the transport saw it, a GraphQL answer with a 5xx
 * (for the metrics), refused by an open circuit, or stopped because the
 * request's answers passed its budget (AnswerBudget).
 */
export type SubgraphFetchFailure = SubgraphFailure | 'server-error' | 'circuit-open';

/** One answer of a subgraph, as the executor reads it: a fetch's, or one event of a subscription. */
export type SubgraphAnswerData = { data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[]; [NO_ESCAPES]?: true };

/** All the executor needs of a subgraph: its transport, wrapped. */
export type SubgraphFetcher = {
  fetch(request: SubgraphFetchRequest, context: GatewayContext): Promise<SubgraphAnswerData>;
  /**
   * Subscribes to a subscription operation (subscription-transports.ts picks
   * graphql-ws or SSE per subgraph). Each event is an answer as fetch gives
   * one; errors the subgraph ends the subscription with come as a last event
   * with no data; a failure of the transport (connection refused or lost) is
   * thrown by `next()`, a SubgraphTransportError. `return()` unsubscribes.
   * May throw at once when it cannot start (the circuit is open).
   */
  subscribe?(request: SubgraphFetchRequest, context: GatewayContext): AsyncIterableIterator<SubgraphAnswerData>;
};

export type SubgraphTransport = {
  readonly name: string;
  /**
   * Sends one operation and returns the subgraph's answer; a failure is a
   * SubgraphTransportError (subgraph-transport-error.ts), a GraphQL error
   * for the client that also tells the wrappers how it failed. Given an
   * `exchange` (wrapTransport), the transport sends `exchange.headers` along
   * with its own and, before it settles, calls `exchange.answered` or
   * `exchange.failed` exactly once.
   */
  fetch(request: SubgraphFetchRequest, context: GatewayContext | undefined, exchange?: SubgraphExchange): Promise<SubgraphResponse>;
  /** What a fetch's trace span says about where it goes (e.g. the URL), besides the subgraph's name. */
  readonly spanAttributes?: Readonly<Record<string, string | number>>;
  /** Stops at once, fetches under way included. */
  close(): void;
  /** After `afterMs`, takes no new fetches and closes once those under way are answered. */
  retire?(afterMs: number): void;
  /**
   * Subscribes to a subscription operation (SubgraphFetcher.subscribe says
   * what its events and failures are). Not through the fetch hooks: a
   * subscription is no exchange, and the fetch path stays as it is
   * (wrappers/subscriptions.ts guards subscriptions instead).
   */
  subscribe?(request: SubgraphFetchRequest, context: GatewayContext): AsyncIterableIterator<SubgraphResponse>;
};

/**
 * One fetch on its way through the wrappers: what they hand down to the
 * transport (headers) and what it reports back up. The one object the seam
 * adds per fetch; wrappers keep no closures or promises of their own.
 */
export type SubgraphExchange = {
  readonly request: SubgraphFetchRequest;
  readonly context: GatewayContext | undefined;
  /** Headers a wrapper adds to the outgoing request (the trace context); undefined until one does. */
  headers: Record<string, string> | undefined;
  /** Once answered: the subgraph's HTTP status (another transport's nearest equivalent) and the attempts it took, retries included. */
  readonly status: number;
  readonly attempts: number;
  /** Milliseconds from the transport taking the fetch to its outcome. */
  readonly elapsedMs: number;
  /** Called by the transport with an answer it returns, 5xx ones included. */
  answered(status: number, attempts: number): void;
  /** Called by the transport with the error it throws. */
  failed(error: unknown): void;
};

/**
 * What a wrapper does around each fetch. Hooks rather than a promise around
 * the fetch below: each fetch is one async call whatever the number of
 * wrappers, with no closure, promise or spread per wrapper (it is the hot path).
 * `before` runs outermost first; the outcome hooks innermost first, only for
 * wrappers whose `before` ran.
 */
export type FetchHooks<State = undefined> = {
  /** May add `exchange.headers`, or refuse the fetch by throwing. Returns the state its other hooks get for this fetch. */
  before?(exchange: SubgraphExchange): State;
  /** The transport answered: `exchange.status` and `attempts` say how. */
  answered?(exchange: SubgraphExchange, state: State): void;
  /** The transport failed, or a wrapper below refused: a SubgraphTransportError, or an error not the subgraph's doing. */
  failed?(exchange: SubgraphExchange, error: unknown, state: State): void;
};

/** A wrapper's hooks for the transport it wraps (made once per transport, not per fetch). */
export type TransportWrapper = (transport: SubgraphTransport) => FetchHooks<unknown>;

/** `transport` with `wrappers` around it, the first outermost; it can always be retired. */
export function wrapTransport(transport: SubgraphTransport, wrappers: readonly TransportWrapper[]): SubgraphTransport & { retire(afterMs: number): void } {
  // Wrapping a wrapped transport adds hooks outside the ones it has: still one exchange per fetch.
  const inner = transport instanceof WrappedTransport ? transport.transport : transport;
  const hooks = wrappers.map((wrap) => wrap(inner));
  return new WrappedTransport(inner, transport instanceof WrappedTransport ? [...hooks, ...transport.hooks] : hooks);
}

class WrappedTransport implements SubgraphTransport {
  readonly name: string;
  readonly spanAttributes: Readonly<Record<string, string | number>> | undefined;

  constructor(
    readonly transport: SubgraphTransport,
    readonly hooks: readonly FetchHooks<unknown>[],
  ) {
    this.name = transport.name;
    this.spanAttributes = transport.spanAttributes;
  }

  fetch(request: SubgraphFetchRequest, context: GatewayContext | undefined): Promise<SubgraphResponse> {
    const exchange = new FetchExchange(request, context, this.hooks);
    try {
      exchange.enter();
    } catch (error) {
      exchange.failed(error);
      return Promise.reject(error);
    }
    return this.transport.fetch(request, context, exchange);
  }

  subscribe(request: SubgraphFetchRequest, context: GatewayContext): AsyncIterableIterator<SubgraphResponse> {
    if (!this.transport.subscribe) throw new Error(`The transport to the ${this.name} subgraph does not subscribe.`);
    return this.transport.subscribe(request, context);
  }

  close(): void {
    this.transport.close();
  }

  retire(afterMs: number): void {
    if (this.transport.retire) this.transport.retire(afterMs);
    // A transport with nothing to drain: fetches started before are over by then.
    else setTimeout(() => this.transport.close(), afterMs).unref();
  }
}

class FetchExchange implements SubgraphExchange {
  headers: Record<string, string> | undefined = undefined;
  status = 0;
  attempts = 0;
  elapsedMs = 0;
  private started = 0;
  /** How many hooks' `before` ran: only they hear the outcome. */
  private entered = 0;
  /** Each entered hook's state for this fetch, by position. */
  private readonly states: unknown[];

  constructor(
    readonly request: SubgraphFetchRequest,
    readonly context: GatewayContext | undefined,
    private readonly hooks: readonly FetchHooks<unknown>[],
  ) {
    this.states = new Array(hooks.length);
  }

  enter(): void {
    const { hooks, states } = this;
    for (; this.entered < hooks.length; this.entered++) states[this.entered] = hooks[this.entered]!.before?.(this);
    this.started = performance.now();
  }

  answered(status: number, attempts: number): void {
    this.elapsedMs = performance.now() - this.started;
    this.status = status;
    this.attempts = attempts;
    for (let index = this.entered - 1; index >= 0; index--) this.hooks[index]!.answered?.(this, this.states[index]);
  }

  failed(error: unknown): void {
    // Refused before the transport had it: no time to tell.
    if (this.entered === this.hooks.length) this.elapsedMs = performance.now() - this.started;
    for (let index = this.entered - 1; index >= 0; index--) this.hooks[index]!.failed?.(this, error, this.states[index]);
  }
}
