import { setMaxListeners } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Env } from '#lib/env.js';
import { requestIdOf, type Handler } from '#lib/http.js';
import { anonymousGatewayToken, signGatewayToken, type Identity } from '#lib/identity.js';
import type { Logger } from '#lib/logger.js';
import { authorize, type AuthorizationPolicy, type AuthorizationResult } from '#gateway/stages/authorization/authorization.js';
import type { GatewayContext } from '#gateway/fetch/data-source.js';
import { formatted, logRequestErrors } from './error-masking.js';
import type { Executor } from '#gateway/execution/executor.js';
import { clientAddress, readGraphQLRequest, type GraphQLRequest } from '#gateway/http/graphql-request.js';
import type { CheckedDocument, Refusal } from '#gateway/stages/limits/document-checker.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { createOutcomeRecorder, errorBody, fromGraphQLErrors, send, withRequestId, type Outcome } from './outcome.js';
import type { createPersistedDocuments } from '#gateway/stages/persisted-documents/persisted-documents.js';
import type { createRateLimiter } from '#gateway/stages/rate-limit/rate-limiter.js';
import { overrideLabelSettings, requestedLabels } from '#gateway/execution/override-labels.js';

/** What one supergraph (or contract) gives the pipeline; a hot reload (served-supergraphs.ts) swaps in a new one. */
export type ServedSupergraph = { executor: Executor; policy: AuthorizationPolicy };

/**
 * Everything between an HTTP request and the executor (executor.ts), in the order that
 * keeps refusals cheap: who is calling, whether they may call now, what they
 * sent, which document it names, whether that document is within limits, and
 * which of its fields they may see. Each refusal is a GraphQL-shaped JSON
 * error with a code and the request id.
 */
export type PipelineOptions = {
  /**
   * The supergraph being served now to `identity` (its client's contract, or the
   * full one): read once per request, which keeps it for the whole request.
   */
  served(identity: Identity | null): ServedSupergraph;
  /** Production masking of what clients see (errors.ts). */
  formatError(error: GraphQLFormattedError): GraphQLFormattedError;
  env: Env;
  logger: Logger;
  /** Verifies the caller's credentials: null when there are none, an UNAUTHENTICATED GraphQLError when they are bad. */
  identify(req: IncomingMessage): Promise<Identity | null>;
  checkDocument(query: string, operationName?: string | null): CheckedDocument | Refusal;
  persisted: ReturnType<typeof createPersistedDocuments>;
  rateLimiter: ReturnType<typeof createRateLimiter> | undefined;
  /** Counts each operation by name and outcome, and times it; undefined when METRICS is off. */
  metrics?: GatewayMetrics | undefined;
};

/** Signs the identity for subgraphs once per request; anonymous tokens are shared for a minute. */
function gatewayTokens(secret: string) {
  const anonymous = anonymousGatewayToken(secret);
  return (identity: Identity | null): (() => Promise<string>) => {
    if (!identity) return anonymous;
    let token: Promise<string> | undefined;
    return () => (token ??= signGatewayToken(identity, secret));
  };
}

export function createGraphQLEndpoint(options: PipelineOptions): Handler {
  const { env, logger, persisted, rateLimiter, formatError, metrics } = options;
  const tokenFor = gatewayTokens(env.GATEWAY_SECRET);
  const labelSettings = overrideLabelSettings(env);
  // Decisions depend on the supergraph's policy: a reloaded supergraph starts with none.
  const authorizationCaches = new WeakMap<AuthorizationPolicy, LRUCache<string, AuthorizedEntry>>();

  function authorized(policy: AuthorizationPolicy, checked: CheckedDocument, query: string, operationName: string | null | undefined, identity: Identity | null) {
    let authorizations = authorizationCaches.get(policy);
    if (!authorizations) authorizationCaches.set(policy, (authorizations = new LRUCache({ max: 1_000 })));
    const scopes = identity ? [...identity.scopes].sort().join(' ') : '';
    const key = `${identity ? 1 : 0}\u0000${scopes}\u0000${operationName ?? ''}\u0000${query}`;
    let entry = authorizations.get(key);
    if (!entry) {
      const result = authorize(policy, checked.document, operationName, {
        authenticated: identity !== null,
        scopes: identity?.scopes ?? [],
      });
      // The filtered document is what runs, so its plan is kept under its own text.
      entry = result.kind === 'filtered' ? { result, query: result.text } : { result };
      authorizations.set(key, entry);
    }
    return entry;
  }

  /**
   * INTROSPECTION=true lets anyone introspect, false nobody (a validation rule
   * refuses it then); unset, only callers with INTROSPECTION_SCOPE may.
   */
  function introspectionRefusal(identity: Identity | null, requestId: string): Outcome | undefined {
    if (env.INTROSPECTION !== undefined || identity?.scopes.includes(env.INTROSPECTION_SCOPE)) return undefined;
    const scope = env.INTROSPECTION_SCOPE;
    return identity
      ? { status: 403, body: errorBody(requestId, 'FORBIDDEN', `Introspection needs the "${scope}" scope.`) }
      : {
          status: 401,
          body: errorBody(requestId, 'UNAUTHENTICATED', `Introspection needs a signed-in caller with the "${scope}" scope.`),
        };
  }

  const record = createOutcomeRecorder({ logger, logRequests: env.LOG_REQUESTS, metrics });

  /** Sends the answer, then counts and logs each operation in it with the time since the request arrived. */
  function respond(res: ServerResponse, requestId: string, outcome: Outcome | Outcome[], status: number, started: number, headers?: Record<string, string>): void {
    send(res, outcome, status, headers);
    record(res.req, requestId, outcome, started);
  }

  async function runOne(
    served: ServedSupergraph,
    request: GraphQLRequest,
    method: 'GET' | 'POST',
    identity: Identity | null,
    req: IncomingMessage,
    requestId: string,
    deadline: AbortSignal,
  ): Promise<Outcome> {
    const headerClient = req.headers['apollographql-client-name'];
    const client = identity?.client
      ? { name: identity.client, trusted: true }
      : { name: typeof headerClient === 'string' && headerClient ? headerClient : undefined, trusted: false };
    const resolved = await persisted.resolve(request, client);
    if (!resolved.ok) {
      // "Not found, send the query" must never be cached by a CDN in front of GET requests.
      return { ...fromGraphQLErrors(requestId, resolved.status, [resolved.error]), headers: { 'cache-control': 'private, no-cache, must-revalidate' } };
    }

    const checked = options.checkDocument(resolved.query, request.operationName);
    if ('errors' in checked) return fromGraphQLErrors(requestId, checked.status, checked.errors);
    const outcome = await runChecked(served, checked, resolved.query, request, method, identity, req.headers, requestId, deadline);
    return { ...outcome, operationName: checked.operation.name?.value, operationType: checked.operation.operation };
  }

  /** Runs a document that is within limits, if this caller may, the way they may. */
  async function runChecked(
    { executor, policy }: ServedSupergraph,
    checked: CheckedDocument,
    query: string,
    request: GraphQLRequest,
    method: 'GET' | 'POST',
    identity: Identity | null,
    headers: IncomingHttpHeaders,
    requestId: string,
    deadline: AbortSignal,
  ): Promise<Outcome> {
    if (method === 'GET' && checked.operation.operation !== 'query') {
      return {
        status: 405,
        headers: { allow: 'POST' },
        body: errorBody(requestId, 'METHOD_NOT_ALLOWED', `A ${checked.operation.operation} must be sent with POST.`),
      };
    }
    if (checked.introspection) {
      const refused = introspectionRefusal(identity, requestId);
      if (refused) return refused;
    }

    const { result: authorization, query: filteredQuery } = authorized(policy, checked, query, request.operationName, identity);
    if (authorization.kind === 'denied') {
      return { status: 200, body: withRequestId(authorization.result, requestId) };
    }

    const contextValue: GatewayContext = { requestId, signal: deadline, gatewayToken: tokenFor(identity) };
    const filtered = authorization.kind === 'filtered';
    const result = await executor.execute({
      document: filtered ? authorization.document : checked.document,
      query: filteredQuery ?? query,
      operationName: request.operationName,
      variables: request.variables ?? undefined,
      context: contextValue,
      overrideLabels: requestedLabels(labelSettings, identity, headers),
    });
    logRequestErrors(logger, requestId, result.errors);
    // Only names of operations that passed validation become label values.
    const operation = result.status === 200 ? metrics?.operationLabel(checked.operation.name?.value) : undefined;
    const errors = result.errors.map((error) => {
      const shown = formatError(formatted(error));
      return { ...shown, extensions: { ...shown.extensions, requestId } };
    });
    const extensions = result.extensions ? { extensions: result.extensions } : {};
    if (filtered) {
      // Unauthorized fields come back as null with their errors; @skip/@include depend on the variables.
      const executed = { ...(result.data === undefined ? {} : { data: JSON.parse(result.data) as Record<string, unknown> | null }), ...(errors.length ? { errors } : {}) };
      return { status: result.status, body: { ...withRequestId(authorization.apply(executed, request.variables ?? {}), requestId), ...extensions }, operation };
    }
    // The data is already JSON text: it is written into the body as it is.
    const parts = [
      ...(errors.length ? [`"errors":${JSON.stringify(errors)}`] : []),
      ...(result.data === undefined ? [] : [`"data":${result.data}`]),
      ...(result.extensions ? [`"extensions":${JSON.stringify(result.extensions)}`] : []),
    ];
    return { status: result.status, body: errors.length ? { errors } : {}, text: `{${parts.join(',')}}`, operation };
  }

  return async (req, res) => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);

    let identity: Identity | null;
    try {
      identity = await options.identify(req);
    } catch (error) {
      if (!(error instanceof GraphQLError)) {
        record(req, requestId, { status: 500, body: {} }, started);
        throw error;
      }
      // A bad credential is the caller's to fix (401); an identity provider that cannot be reached is not (503).
      const code = String(error.extensions.code ?? 'UNAUTHENTICATED');
      const status = code === 'UNAUTHENTICATED' ? 401 : 503;
      const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer' } : {};
      return respond(res, requestId, { status, body: errorBody(requestId, code, error.message) }, status, started, headers);
    }

    if (rateLimiter) {
      const byKey = identity?.kind === 'api-key';
      const limits = identity?.rateLimit ?? (byKey
        ? { burst: env.RATE_LIMIT_KEY_BURST, perSecond: env.RATE_LIMIT_KEY_PER_SECOND }
        : { burst: env.RATE_LIMIT_BURST, perSecond: env.RATE_LIMIT_PER_SECOND });
      const key = byKey ? `key:${identity?.subject}` : `ip:${clientAddress(req, env.TRUST_PROXY)}`;
      const taken = await rateLimiter.take(key, limits);
      if (!taken.allowed) {
        metrics?.rateLimited(byKey ? 'api_key' : 'address');
        // The body is not read: close the connection rather than drain it.
        return respond(
          res,
          requestId,
          { status: 429, body: errorBody(requestId, 'RATE_LIMITED', `Too many requests; retry in ${taken.retryAfterSeconds} s.`, { retryAfter: taken.retryAfterSeconds }) },
          429,
          started,
          { 'retry-after': String(taken.retryAfterSeconds), connection: 'close' },
        );
      }
    }

    const read = await readGraphQLRequest(req, {
      maxBodyBytes: env.MAX_BODY_BYTES,
      allowBatching: env.ALLOW_BATCHING,
      maxBatchSize: env.MAX_BATCH_SIZE,
    });
    if (!read.ok) {
      const headers = { ...read.headers, ...(read.status === 413 ? { connection: 'close' } : {}) };
      return respond(res, requestId, { status: read.status, body: errorBody(requestId, read.code, read.message) }, read.status, started, headers);
    }

    const deadline = AbortSignal.timeout(env.REQUEST_TIMEOUT_MS);
    // Every subgraph fetch of the request listens to it; a wide plan has many.
    setMaxListeners(0, deadline);
    const served = options.served(identity);
    const outcomes: Outcome[] = [];
    for (const request of read.requests) {
      try {
        outcomes.push(await runOne(served, request, read.method, identity, req, requestId, deadline));
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

type AuthorizedEntry = { result: AuthorizationResult; query?: string };
