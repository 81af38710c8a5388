import type { Logger } from '#lib/logger.js';
import { SubgraphTransportError } from '#gateway/fetch/subgraph-transport-error.js';
import type { FetchHooks, SubgraphExchange, TransportWrapper } from '#gateway/fetch/transport.js';

/**
 * The log lines of subgraph fetches: what the client is never shown
 * (addresses, network errors, bodies) is here, under the request's id.
 */
export function loggingWrapper(options: { url: string; logger: Logger }): TransportWrapper {
  return (transport) => new FetchLogging(transport.name, options.url, options.logger);
}

class FetchLogging implements FetchHooks<unknown> {
  constructor(
    private readonly subgraph: string,
    private readonly url: string,
    private readonly logger: Logger,
  ) {}

  answered(exchange: SubgraphExchange): void {
    const requestId = exchange.context?.requestId;
    if (exchange.status >= 500) {
      this.logger.error({ subgraph: this.subgraph, requestId, url: this.url, status: exchange.status }, 'subgraph answered with a server error');
    }
    if (exchange.attempts > 1) this.logger.warn({ subgraph: this.subgraph, requestId, url: this.url }, 'subgraph fetch retried');
  }

  failed(exchange: SubgraphExchange, error: unknown): void {
    // Not the subgraph's doing: the request's own error log line has it.
    if (!(error instanceof SubgraphTransportError)) return;
    const requestId = exchange.context?.requestId;
    if (error.failure === 'circuit-open') {
      // The opening was logged once, as a warning; one line per refused fetch would flood the log.
      this.logger.debug({ subgraph: this.subgraph, requestId }, 'subgraph fetch refused: circuit open');
      return;
    }
    if (error.failure === 'over-budget') {
      // The request's doing, not the subgraph's: its answer is RESPONSE_TOO_LARGE, which the request's log line has.
      this.logger.debug({ subgraph: this.subgraph, requestId }, "subgraph fetch cut off: the request's answers passed MAX_RESPONSE_BYTES");
      return;
    }
    this.logger.error(
      {
        subgraph: this.subgraph,
        requestId,
        url: this.url,
        failure: error.failure,
        detail: error.detail,
        status: error.status,
        body: error.bodyExcerpt,
        attempts: error.attempts,
        elapsedMs: Math.round(exchange.elapsedMs),
        err: error.cause,
      },
      'subgraph fetch failed',
    );
  }
}
