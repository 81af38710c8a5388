import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { Identity } from '#lib/identity.js';
import type { Logger } from '#lib/logger.js';
import { AnswerBudget } from '#gateway/fetch/transport.js';
import type { ExecutionResult } from '#gateway/execution/executor.js';
import type { ServedSupergraph } from '#gateway/supergraph/served-supergraphs.js';
import { formatted, logRequestErrors } from './error-masking.js';
import type { SharedSubscriptions } from './shared-subscriptions.js';
import { subsequentParts } from './incremental-parts.js';
import { shapedEvents, sharingKey } from './subscription-events.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { withRequestId, type Outcome } from './outcome.js';
import type { Answer, GraphQLRequest, OperationState, Refusal, RequestState, Stage } from './stage.js';

/**
 * One operation's way through the stages and the executor, whatever carried
 * it: an HTTP request (graphql-endpoint.ts), or a WebSocket connection's
 * subscribe message (http/subscriptions/). `connect` runs the stages that
 * look at the caller (onRequest: identify, rate-limit, propagate-headers),
 * `run` those that look at the operation (onOperation) and then the executor,
 * and shapes each answer through the onAnswer stages: a subscription's every
 * event too, so authorization applies to each.
 */
export type RunnerOptions = {
  stages: readonly Stage[];
  /** The caller's identity, signed for the subgraphs when a fetch first needs it. */
  signIdentity(identity: Identity | null): () => Promise<string>;
  /** Production masking of what clients see (error-masking.ts). */
  formatError(error: GraphQLFormattedError): GraphQLFormattedError;
  logger: Logger;
  metrics?: GatewayMetrics | undefined;
  /** Subscriptions open per client, over every protocol (subscription-slots.ts); no subscription runs without one. */
  slots?: SubscriptionSlots | undefined;
  /** MAX_RESPONSE_BYTES: the most each subscription event may hold (0: no limit). */
  maxResponseBytes?: number | undefined;
  /** Identical subscriptions sharing one at the subgraph (shared-subscriptions.ts); each its own when absent. */
  shared?: SharedSubscriptions | undefined;
};

/** What every fetch of one operation shares: its deadline, and the bytes its answer may hold. */
export type Bounds = {
  deadline: AbortSignal | undefined;
  budget: AnswerBudget | undefined;
  /** The client reads answers in parts (multipart, deferSpec=20220824): `@defer` defers. */
  defer?: boolean;
};

/** Whom a subscription counts against, and whether they may open one more (subscription-slots.ts). */
export type SubscriptionSlots = {
  /** Takes a slot for the caller; false when they have as many open as they may. */
  take(request: RequestState): boolean;
  give(request: RequestState): void;
};

export type OperationRunner = {
  /** The onRequest stages, for a new HTTP request or WebSocket connection: undefined when it may go on. */
  connect(request: RequestState): Promise<Refusal | undefined>;
  /**
   * The onOperation stages, then the executor: a subscription's outcome has
   * its `events` (each an Outcome of its own), anything else its answer.
   */
  run(request: RequestState, served: ServedSupergraph, sent: GraphQLRequest, method: 'GET' | 'POST', bounds: Bounds, streams?: boolean): Promise<Outcome>;
};

/** Why a subscription sent over HTTP without a streaming media type is refused (406), before it starts. */
export const STREAMING_NEEDED =
  'A subscription needs a streaming protocol: graphql-ws over WebSocket, or over HTTP `Accept: text/event-stream` (SSE) or `multipart/mixed;subscriptionSpec="1.0"`.';

export function createOperationRunner(options: RunnerOptions): OperationRunner {
  const { stages, logger, formatError, metrics, slots, shared } = options;
  const requestHooks = stages.filter((stage) => stage.onRequest);
  const operationHooks = stages.filter((stage) => stage.onOperation);
  const answerHooks = stages.filter((stage) => stage.onAnswer);

  async function connect(request: RequestState): Promise<Refusal | undefined> {
    for (const stage of requestHooks) {
      const refused = await stage.onRequest!(request);
      if (refused) return refused;
    }
    return undefined;
  }

  async function run(request: RequestState, served: ServedSupergraph, sent: GraphQLRequest, method: 'GET' | 'POST', bounds: Bounds, streams = false): Promise<Outcome> {
    const operation: OperationState = { request, method, sent, served, query: sent.query };
    for (const stage of operationHooks) {
      const refused = await stage.onOperation!(operation);
      if (refused) return named(refusalOutcome(refused, request.requestId), operation);
    }
    if (operation.operation?.operation === 'subscription') {
      if (!streams) return named(refusalOutcome({ status: 406, errors: [{ message: STREAMING_NEEDED, extensions: { code: 'NOT_ACCEPTABLE' } }] }, request.requestId), operation);
      return named(await subscribe(operation), operation);
    }
    return named(await execute(operation, bounds), operation);
  }

  /** Runs an operation every stage let through, and shapes its answer. */
  async function execute(operation: OperationState, bounds: Bounds): Promise<Outcome> {
    const result = await operation.served.executor.execute(executionOf(operation, bounds));
    const outcome = answerOf(operation, result);
    // The payloads after the first (@defer): each through the same stages, its errors logged and shown as these.
    if (result.subsequent) {
      const { requestId } = operation.request;
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

  /** Errors as clients see them: masked in production, each with the request id. */
  function shown(all: readonly GraphQLError[], requestId: string): GraphQLFormattedError[] {
    return all.map((error) => {
      const shownError = formatError(formatted(error));
      return { ...shownError, extensions: { ...shownError.extensions, requestId } };
    });
  }

  /**
   * Starts a subscription every stage let through: its events come as the
   * subgraph sends them, each with the rest of the plan run and shaped by the
   * onAnswer stages. What cannot start (an invalid operation, a refused
   * subgraph, too many open for this client) is answered at once, as a query is.
   */
  async function subscribe(operation: OperationState): Promise<Outcome> {
    const { request } = operation;
    if (slots && !slots.take(request)) {
      const message = 'This client has as many subscriptions open as it may: complete one before starting another.';
      return refusalOutcome({ status: 429, errors: [{ message, extensions: { code: 'SUBSCRIPTION_LIMIT_REACHED' } }] }, request.requestId);
    }
    let started: Awaited<ReturnType<ServedSupergraph['executor']['subscribe']>>;
    try {
      // No deadline: a subscription lasts until one side ends it. Each event's fetches have SUBGRAPH_TIMEOUT_MS.
      // The budget's limit applies to each event (the executor gives each one its own).
      const budget = options.maxResponseBytes ? new AnswerBudget(options.maxResponseBytes) : undefined;
      const execution = executionOf(operation, { deadline: undefined, budget });
      const { executor } = operation.served;
      started = await (shared ? shared.join(executor, sharingKey(operation), () => executor.subscribe(execution)) : executor.subscribe(execution));
    } catch (error) {
      slots?.give(request);
      throw error;
    }
    if (!isStream(started)) {
      slots?.give(request);
      return answerOf(operation, started);
    }
    const label = metrics?.operationLabel(operation.operation?.name?.value);
    const events = shapedEvents(started, (event) => answerOf(operation, event), () => slots?.give(request));
    return { status: 200, body: {}, operation: label, events, expiresAt: request.identity?.expiresAt };
  }

  /** The executor's result as the client sees it: errors masked and with the request id, shaped by the onAnswer stages. */
  function answerOf(operation: OperationState, result: ExecutionResult): Outcome {
    const { requestId } = operation.request;
    logRequestErrors(logger, requestId, result.errors);
    // Only names of operations that passed validation become label values.
    const label = result.status === 200 ? metrics?.operationLabel(operation.operation?.name?.value) : undefined;
    const errors = shown(result.errors, requestId);
    const shaped = answerHooks.length > 0 ? shapeAnswer(operation, lazyAnswer(result.data, errors, result.subsequent ? 'initial' : undefined)) : undefined;
    if (shaped) {
      // The executor's extensions, and over them those stages added (cost's).
      const merged = result.extensions || shaped.extensions ? { extensions: { ...result.extensions, ...shaped.extensions } } : {};
      const body = shaped.part === undefined ? shaped : withoutPart(shaped);
      const answer: Outcome = { status: result.status, body: { ...withRequestId(body, requestId), ...merged }, operation: label };
      if (result.receivedAt !== undefined) answer.receivedAt = result.receivedAt;
      return answer;
    }
    // The data is already JSON text: it is written into the body as it is.
    const parts = [
      ...(errors.length ? [`"errors":${JSON.stringify(errors)}`] : []),
      ...(result.data === undefined ? [] : [`"data":${result.data}`]),
      ...(result.extensions ? [`"extensions":${JSON.stringify(result.extensions)}`] : []),
    ];
    const answer: Outcome = { status: result.status, body: errors.length ? { errors } : {}, text: `{${parts.join(',')}}`, operation: label };
    if (result.receivedAt !== undefined) answer.receivedAt = result.receivedAt;
    return answer;
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

  function executionOf(operation: OperationState, { deadline, budget, defer }: Bounds) {
    const { request, document, sent } = operation;
    if (!document || operation.query === undefined) throw new Error('No stage parsed the operation: the stage list needs one that sets `document` (limits).');
    return {
      document,
      query: operation.query,
      operationName: sent.operationName,
      variables: sent.variables ?? undefined,
      context: {
        requestId: request.requestId,
        ...(deadline ? { signal: deadline } : {}),
        gatewayToken: options.signIdentity(request.identity),
        clientHeaders: request.clientHeaders,
        ...(budget ? { budget } : {}),
      },
      overrideLabels: operation.overrideLabels,
      defer,
    };
  }

  return { connect, run };
}

function isStream(result: ExecutionResult | AsyncIterableIterator<ExecutionResult>): result is AsyncIterableIterator<ExecutionResult> {
  return Symbol.asyncIterator in result;
}

/** A refusal as the answer: each error with the request id, right after its code. */
export function refusalOutcome(refused: Refusal, requestId: string): Outcome {
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
