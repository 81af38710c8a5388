import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { requestIdOf, type Handler } from '#lib/http.js';
import type { Identity } from '#lib/identity.js';
import type { Logger } from '#lib/logger.js';
import { AnswerBudget } from '#gateway/fetch/transport.js';
import type { ServedSupergraph } from '#gateway/supergraph/served-supergraphs.js';
import type { ExecutionResult } from '#gateway/execution/executor.js';
import { formatted, logRequestErrors } from './error-masking.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { errorBody, withRequestId, type Outcome, type OutcomeRecorder } from './outcome.js';
import { subsequentParts } from './incremental-parts.js';
import type { Answer, GraphQLRequest, OperationState, Refusal, RequestState, Stage } from './stage.js';

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
  /** In order: `onRequest` hooks run before the body is read, `onOperation` hooks per operation, `onAnswer` after it ran. */
  stages: readonly Stage[];
  /** Reads the operations in the request's body or query string, or refuses it. */
  readOperations(req: IncomingMessage): Promise<ReadOperations | Refusal>;
  /** Whether the client reads answers in parts (multipart/mixed, deferSpec=20220824): then `@defer` defers. */
  incremental?(req: IncomingMessage): boolean;
  /** Writes an answer (a batch's as an array) in the media type the client accepts (http/encoders/). */
  send(res: ServerResponse, outcome: Outcome | Outcome[], status: number, headers?: Readonly<Record<string, string>>): void;
  /** Counts and logs each operation answered (outcome.ts). */
  record: OutcomeRecorder;
  /** The supergraph served to `identity` (its client's contract, or the full one); read once per request. */
  served(identity: Identity | null): ServedSupergraph;
  /** The caller's identity, signed for the subgraphs when a fetch first needs it. */
  signIdentity(identity: Identity | null): () => Promise<string>;
  /** Production masking of what clients see (error-masking.ts). */
  formatError(error: GraphQLFormattedError): GraphQLFormattedError;
  /** REQUEST_TIMEOUT_MS: the deadline of every fetch a request makes. */
  requestTimeoutMs: number;
  /** MAX_RESPONSE_BYTES: the most one request's answer may hold, its subgraphs' answers and the text written from them (0: no limit). */
  maxResponseBytes?: number | undefined;
  logger: Logger;
  /** Names operations for the metrics; undefined when METRICS is off. */
  metrics?: GatewayMetrics | undefined;
};

/** What every fetch of one request shares: its deadline, and the bytes its answer may hold. */
type Bounds = { deadline: AbortSignal; budget: AnswerBudget | undefined; defer?: boolean };

export function createGraphQLEndpoint(options: PipelineOptions): Handler {
  const { stages, logger, formatError, metrics, record, send } = options;
  const requestHooks = stages.filter((stage) => stage.onRequest);
  const operationHooks = stages.filter((stage) => stage.onOperation);
  const answerHooks = stages.filter((stage) => stage.onAnswer);

  /** Sends the answer, then counts and logs each operation in it with the time since the request arrived. */
  function respond(res: ServerResponse, requestId: string, outcome: Outcome | Outcome[], status: number, started: number, headers?: Readonly<Record<string, string>>): void {
    send(res, outcome, status, headers);
    record(res.req, requestId, outcome, started);
  }

  async function runOne(request: RequestState, served: ServedSupergraph, sent: GraphQLRequest, method: 'GET' | 'POST', bounds: Bounds): Promise<Outcome> {
    const operation: OperationState = { request, method, sent, served, query: sent.query };
    for (const stage of operationHooks) {
      const refused = await stage.onOperation!(operation);
      if (refused) return named(refusalOutcome(refused, request.requestId), operation);
    }
    return named(await execute(operation, bounds), operation);
  }

  /** Runs an operation every stage let through, and shapes its answer. */
  async function execute(operation: OperationState, { deadline, budget, defer }: Bounds): Promise<Outcome> {
    const { request, served, document, sent } = operation;
    const { requestId, identity } = request;
    if (!document || operation.query === undefined) throw new Error('No stage parsed the operation: the stage list needs one that sets `document` (limits).');
    const result = await served.executor.execute({
      document,
      query: operation.query,
      operationName: sent.operationName,
      variables: sent.variables ?? undefined,
      context: { requestId, signal: deadline, gatewayToken: options.signIdentity(identity), clientHeaders: request.clientHeaders, ...(budget ? { budget } : {}) },
      overrideLabels: operation.overrideLabels,
      defer,
    });
    logRequestErrors(logger, requestId, result.errors);
    // Only names of operations that passed validation become label values.
    const label = result.status === 200 ? metrics?.operationLabel(operation.operation?.name?.value) : undefined;
    const errors = shown(result.errors, requestId);
    const outcome = shapeOutcome(operation, result, errors, label);
    // The payloads after the first (@defer): each through the same stages, its errors logged and shown as these.
    if (result.subsequent) {
      outcome.subsequent = subsequentParts(
        result.subsequent,
        (answer) => shapeAnswer(operation, answer),
        (all) => {
          logRequestErrors(logger, requestId, all);
          return shown(all, requestId);
        },
        requestId,
      );
    }
    return outcome;
  }

  /** The first (or only) answer to an operation, through the `onAnswer` stages. */
  function shapeOutcome(operation: OperationState, result: ExecutionResult, errors: GraphQLFormattedError[], label: string | undefined): Outcome {
    const { requestId } = operation.request;
    const shaped = answerHooks.length > 0 ? shapeAnswer(operation, lazyAnswer(result.data, errors, result.subsequent ? 'initial' : undefined)) : undefined;
    if (shaped) {
      // The executor's extensions, and over them those stages added (cost's).
      const merged = result.extensions || shaped.extensions ? { extensions: { ...result.extensions, ...shaped.extensions } } : {};
      const body = shaped.part === undefined ? shaped : withoutPart(shaped);
      return { status: result.status, body: { ...withRequestId(body, requestId), ...merged }, operation: label };
    }
    // The data is already JSON text: it is written into the body as it is.
    const parts = [
      ...(errors.length ? [`"errors":${JSON.stringify(errors)}`] : []),
      ...(result.data === undefined ? [] : [`"data":${result.data}`]),
      ...(result.extensions ? [`"extensions":${JSON.stringify(result.extensions)}`] : []),
    ];
    return { status: result.status, body: errors.length ? { errors } : {}, text: `{${parts.join(',')}}`, operation: label };
  }

  /** Errors as clients see them: masked in production, each with the request id. */
  function shown(all: readonly GraphQLError[], requestId: string): GraphQLFormattedError[] {
    return all.map((error) => {
      const formattedError = formatError(formatted(error));
      return { ...formattedError, extensions: { ...formattedError.extensions, requestId } };
    });
  }

  /** The `onAnswer` hooks in order; undefined when none changed the answer (its data then never parsed). */
  function shapeAnswer(operation: OperationState, first: Answer): Answer | undefined {
    if (answerHooks.length === 0) return undefined;
    let answer = first;
    let changed = false;
    for (const stage of answerHooks) {
      const next = stage.onAnswer!(operation, answer);
      if (next) {
        // A stage that rebuilds the answer (authorization) keeps the extensions an earlier one added (cost).
        answer = next.extensions === undefined && answer.extensions !== undefined ? { ...next, extensions: answer.extensions } : next;
        // The part an answer is stays with it, whatever a stage returned.
        if (first.part !== undefined && answer.part === undefined) answer = { ...answer, part: first.part };
        changed = true;
      }
    }
    return changed ? answer : undefined;
  }

  return async (req, res) => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const request: RequestState = { req, requestId, identity: null };

    for (const stage of requestHooks) {
      let refused: Refusal | undefined;
      try {
        refused = await stage.onRequest!(request);
      } catch (error) {
        record(req, requestId, { status: 500, body: {} }, started);
        throw error;
      }
      if (refused) return respond(res, requestId, refusalOutcome(refused, requestId), refused.status, started, refused.headers);
    }

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
    const outcomes: Outcome[] = [];
    for (const sent of read.requests) {
      try {
        outcomes.push(await runOne(request, served, sent, read.method, bounds));
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

/** A refusal as the answer: each error with the request id, right after its code. */
function refusalOutcome(refused: Refusal, requestId: string): Outcome {
  const errors = refused.errors.map((error) => {
    const extensions = error.extensions ?? {};
    return { ...error, extensions: extensions.code === undefined ? { ...extensions, requestId } : { code: extensions.code, requestId, ...extensions } };
  });
  return {
    status: refused.status,
    body: { ...(refused.data === undefined ? {} : { data: refused.data }), errors },
    ...(refused.headers ? { headers: { ...refused.headers } } : {}),
  };
}

/** The operation the document named and its type, once a stage parsed it: for the log and the trace. */
function named(outcome: Outcome, operation: OperationState): Outcome {
  if (!operation.operation) return outcome;
  return { ...outcome, operationName: operation.operation.name?.value, operationType: operation.operation.operation };
}

/** The answer without its part marker (stage.ts), which is no part of what clients see. */
function withoutPart({ part: _part, ...answer }: Answer): Answer {
  return answer;
}

/** An answer whose data is parsed from the executor's JSON text only if a stage reads it. */
function lazyAnswer(text: string | undefined, errors: GraphQLFormattedError[], part?: 'initial'): Answer {
  let data: Record<string, unknown> | null | undefined;
  let parsed = false;
  const answer: Answer = {
    get data() {
      if (!parsed) {
        parsed = true;
        data = text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown> | null);
      }
      return data;
    },
    ...(errors.length ? { errors } : {}),
  };
  return part ? Object.assign(answer, { part }) : answer;
}
