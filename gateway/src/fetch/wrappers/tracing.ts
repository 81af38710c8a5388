import { SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import { errorType, injectTraceHeaders, markFailed, startChildSpan, tracing } from '#lib/telemetry.js';
import { SubgraphTransportError } from '#gateway/fetch/subgraph-transport-error.js';
import type { FetchHooks, SubgraphExchange, SubgraphTransport, TransportWrapper } from '#gateway/fetch/transport.js';

/**
 * A CLIENT span per fetch (its retry included), whose traceparent the
 * subgraph's request span continues. Outermost, so the span covers the
 * other wrappers too and a fetch the circuit refused is traced as failed.
 */
export function tracingWrapper(): TransportWrapper {
  return (transport) => new FetchTracing(transport);
}

class FetchTracing implements FetchHooks<Span | undefined> {
  private readonly spanName: string;
  /** What every fetch span says about the subgraph. */
  private readonly attributes: Attributes;

  constructor(transport: SubgraphTransport) {
    this.spanName = `subgraph ${transport.name}`;
    this.attributes = { 'subgraph.name': transport.name, ...transport.spanAttributes };
  }

  before(exchange: SubgraphExchange): Span | undefined {
    if (!tracing()) return undefined;
    const { operationName } = exchange.request;
    const span = startChildSpan(
      this.spanName,
      operationName ? { ...this.attributes, 'graphql.operation.name': operationName } : this.attributes,
      SpanKind.CLIENT,
    );
    // The transport sends these headers with its own.
    if (span) injectTraceHeaders(span, (exchange.headers ??= {}));
    return span;
  }

  answered(exchange: SubgraphExchange, span: Span | undefined): void {
    if (!span) return;
    span.setAttributes({ 'http.response.status_code': exchange.status, 'http.request.resend_count': exchange.attempts - 1 });
    if (exchange.status >= 500) markFailed(span, 'server-error');
    span.end();
  }

  failed(_exchange: SubgraphExchange, error: unknown, span: Span | undefined): void {
    if (!span) return;
    if (error instanceof SubgraphTransportError) {
      // Refused by the circuit: never sent, so no status and no resends to tell.
      if (error.attempts > 0) {
        if (error.status) span.setAttribute('http.response.status_code', error.status);
        span.setAttribute('http.request.resend_count', error.attempts - 1);
      }
      markFailed(span, error.failure);
    } else markFailed(span, errorType(error));
    span.end();
  }
}
