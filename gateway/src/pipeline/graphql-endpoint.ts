import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestIdOf, type Handler } from '#lib/http.js';
import type { Identity } from '#lib/identity.js';
import type { Logger } from '#lib/logger.js';
import { AnswerBudget } from '#gateway/fetch/transport.js';
import type { ServedSupergraph } from '#gateway/supergraph/served-supergraphs.js';
import { refusalOutcome, type Bounds, type OperationRunner } from './operation-runner.js';
import { errorBody, type Outcome, type OutcomeRecorder } from './outcome.js';
import type { GraphQLRequest, Refusal, RequestState } from './stage.js';

/** The operations one HTTP request carries, as the HTTP layer read them (http/graphql-request.ts). */
export type ReadOperations = { method: 'GET' | 'POST'; requests: GraphQLRequest[]; batched: boolean };

/**
 * Runs every request through the stages, in their order, and the operations
 * they let through on the supergraph served to the caller. It knows no stage
 * by name: a refusal from any of them is answered the same way, with the
 * request id on each error. Reading the body and writing the answer are the
 * HTTP layer's (http/), handed in by the composition root (server.ts).
 */
export type PipelineOptions = {
  /** The stages and the executor, per operation (operation-runner.ts). */
  runner: OperationRunner;
  /** Reads the operations in the request's body or query string, or refuses it. */
  readOperations(req: IncomingMessage): Promise<ReadOperations | Refusal>;
  /** Whether the client's Accept header names a media type that streams a subscription's events (http/encoders/). */
  streams(accept: string | undefined): boolean;
  /** Whether the client reads answers in parts (multipart/mixed, deferSpec=20220824): then `@defer` defers. */
  incremental?(req: IncomingMessage): boolean;
  /** Writes an answer (a batch's as an array) in the media type the client accepts (http/encoders/). */
  send(res: ServerResponse, outcome: Outcome | Outcome[], status: number, headers?: Readonly<Record<string, string>>): void;
  /** Counts and logs each operation answered (outcome.ts). */
  record: OutcomeRecorder;
  /** The supergraph served to `identity` (its client's contract, or the full one); read once per request. */
  served(identity: Identity | null): ServedSupergraph;
  /** REQUEST_TIMEOUT_MS: the deadline of every fetch a request makes. */
  requestTimeoutMs: number;
  /** MAX_RESPONSE_BYTES: the most one request's answer may hold, its subgraphs' answers and the text written from them (0: no limit). */
  maxResponseBytes?: number | undefined;
  logger: Logger;
};

export function createGraphQLEndpoint(options: PipelineOptions): Handler {
  const { logger, record, send, runner } = options;

  /** Sends the answer, then counts and logs each operation in it with the time since the request arrived. */
  function respond(res: ServerResponse, requestId: string, outcome: Outcome | Outcome[], status: number, started: number, headers?: Readonly<Record<string, string>>): void {
    send(res, outcome, status, headers);
    record(res.req, requestId, outcome, started);
  }

  return async (req, res) => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const request: RequestState = { req, requestId, identity: null };

    let refused: Refusal | undefined;
    try {
      refused = await runner.connect(request);
    } catch (error) {
      record(req, requestId, { status: 500, body: {} }, started);
      throw error;
    }
    if (refused) return respond(res, requestId, refusalOutcome(refused, requestId), refused.status, started, refused.headers);

    const read = await options.readOperations(req);
    if (!('requests' in read)) return respond(res, requestId, refusalOutcome(read, requestId), read.status, started, read.headers);

    const deadline = AbortSignal.timeout(options.requestTimeoutMs);
    // Every subgraph fetch of the request listens to it; a wide plan has many.
    setMaxListeners(0, deadline);
    // One budget for the whole answer, a batch's operations together.
    const bounds: Bounds = { deadline, budget: options.maxResponseBytes ? new AnswerBudget(options.maxResponseBytes) : undefined };
    // Parts only for a single operation (a batch is one JSON array), to a client that reads them.
    if (!read.batched && options.incremental?.(req)) bounds.defer = true;
    const served = options.served(request.identity);
    // A subscription's events stream to one operation's answer, never a batch's.
    const streams = !read.batched && options.streams(req.headers.accept);
    const outcomes: Outcome[] = [];
    for (const sent of read.requests) {
      try {
        outcomes.push(await runner.run(request, served, sent, read.method, bounds, streams));
      } catch (error) {
        logger.error({ err: error, requestId }, 'request failed');
        outcomes.push({ status: 500, body: errorBody(requestId, 'INTERNAL_SERVER_ERROR', 'Internal server error') });
      }
    }
    if (read.batched) return respond(res, requestId, outcomes, 200, started);
    const [outcome] = outcomes as [Outcome];
    respond(res, requestId, outcome, outcome.status, started, outcome.headers);
  };
}
