import type { IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { GraphQLFormattedError, OperationTypeNode } from 'graphql';
import type { Logger } from '#lib/logger.js';
import { outcomeOf } from '#lib/metrics.js';
import { activeSpan, markFailed } from '#lib/telemetry.js';
import type { GatewayMetrics } from './gateway-metrics.js';

/** What the pipeline answers for one GraphQL operation, and what it knows about it. */
export type Outcome = {
  status: number;
  body: { data?: unknown; errors?: readonly GraphQLFormattedError[]; extensions?: Record<string, unknown> };
  /** The body already as JSON text, when the executor wrote it. */
  text?: string;
  /** The JSON text of each payload after this one (`@defer`), for an encoder that writes parts (http/encoders/multipart.ts). */
  subsequent?: AsyncIterable<string>;
  headers?: Record<string, string>;
  /** The operation's label for the metrics, once it passed validation. */
  operation?: string | undefined;
  /** The operation the document named and its type, once the document parsed: for the log. */
  operationName?: string | undefined;
  operationType?: OperationTypeNode | undefined;
  /**
   * A subscription's events, each an answer as `body`/`text` are, for an
   * encoder that streams them (http/subscriptions/); return() ends the
   * subscription at the subgraph.
   */
  events?: AsyncIterableIterator<Outcome> | undefined;
  /** When the credential that opened the subscription expires (Identity.expiresAt): its stream ends then (credential-expiry.ts). */
  expiresAt?: number | undefined;
  /** When an event's data arrived from the subgraph (performance.now()): its latency is measured to the client's socket. */
  receivedAt?: number | undefined;
};

export function errorBody(requestId: string, code: string, message: string, extra: Record<string, unknown> = {}): Outcome['body'] {
  return { errors: [{ message, extensions: { code, requestId, ...extra } }] };
}

export function withRequestId(body: Outcome['body'], requestId: string): Outcome['body'] {
  if (!body.errors?.length) return body;
  return {
    ...body,
    errors: body.errors.map((error) => ({ ...error, extensions: { ...error.extensions, requestId } })),
  };
}

export type OutcomeRecorderOptions = {
  logger: Logger;
  /** LOG_REQUESTS: one line per operation answered. */
  logRequests: boolean;
  metrics: GatewayMetrics | undefined;
};

/** At most this many distinct error codes go on a request's line; the errors themselves are logged apart. */
const LOGGED_CODES = 5;
const OPERATION_NAME_CHARS = 100;
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/**
 * What happens after each answer: every operation in it is counted (metrics)
 * and gets one log line, `request completed`, with the request id, the trace
 * id, the operation, the status and outcome, the duration and the error codes.
 */
export type OutcomeRecorder = (req: IncomingMessage, requestId: string, outcome: Outcome | Outcome[], started: number) => void;

export function createOutcomeRecorder({ logger, logRequests, metrics }: OutcomeRecorderOptions): OutcomeRecorder {
  function line(req: IncomingMessage, requestId: string, outcome: Outcome, durationMs: number, batchIndex: number | undefined): void {
    const failed = outcome.status >= 500;
    if (!logger.isLevelEnabled(failed ? 'error' : 'info')) return;
    const errors = outcome.body.errors ?? [];
    const codes = [...new Set(errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))].slice(0, LOGGED_CODES);
    const fields = {
      requestId,
      // With tracing on the logger adds the active span's trace id; without, the caller's traceparent still links the line.
      ...(activeSpan() ? {} : callerTrace(req)),
      operation: outcome.operationName?.slice(0, OPERATION_NAME_CHARS) ?? null,
      ...(outcome.operationType ? { operationType: outcome.operationType } : {}),
      ...(batchIndex === undefined ? {} : { batchIndex }),
      status: outcome.status,
      outcome: outcomeOf(outcome.status, errors.length > 0),
      durationMs: Math.round(durationMs * 100) / 100,
      ...(codes.length ? { errorCodes: codes } : {}),
    };
    if (failed) logger.error(fields, 'request completed');
    else logger.info(fields, 'request completed');
  }

  return (req: IncomingMessage, requestId: string, outcome: Outcome | Outcome[], started: number): void => {
    const span = activeSpan();
    if (span && !Array.isArray(outcome)) annotate(span, outcome);
    if (!metrics && !logRequests) return;
    const durationMs = performance.now() - started;
    const each = Array.isArray(outcome) ? outcome : [outcome];
    for (const [index, one] of each.entries()) {
      metrics?.request(one.operation, one.status, (one.body.errors?.length ?? 0) > 0, durationMs / 1000);
      if (logRequests) line(req, requestId, one, durationMs, Array.isArray(outcome) ? index : undefined);
    }
  };
}

/** The request's span (lib/http.ts) named after its operation, as the GraphQL semantic conventions have it. */
function annotate(span: Span, outcome: Outcome): void {
  const errors = outcome.body.errors ?? [];
  const result = outcomeOf(outcome.status, errors.length > 0);
  span.setAttribute('junction.outcome', result);
  if (outcome.operationType) {
    span.setAttribute('graphql.operation.type', outcome.operationType);
    if (outcome.operationName) span.setAttribute('graphql.operation.name', outcome.operationName.slice(0, OPERATION_NAME_CHARS));
    span.updateName(outcome.operationName ? `${outcome.operationType} ${outcome.operationName.slice(0, OPERATION_NAME_CHARS)}` : outcome.operationType);
  }
  // Errors in a 200 answer fail the operation; 5xx are marked by lib/http.ts, and 4xx are the caller's (as HTTP's conventions have it).
  if (result === 'errors') markFailed(span, String(errors[0]?.extensions?.code ?? 'GRAPHQL_ERROR'));
}

function callerTrace(req: IncomingMessage): { traceId?: string } {
  const header = req.headers.traceparent;
  const traceId = typeof header === 'string' ? TRACEPARENT.exec(header)?.[1] : undefined;
  return traceId && !/^0+$/.test(traceId) ? { traceId } : {};
}
