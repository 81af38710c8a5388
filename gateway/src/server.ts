import type { Server } from 'node:http';
import { poolUse, type Database } from '#lib/db.js';
import type { Env } from '#lib/env.js';
import { headerRulesFor, unknownSubgraphs, unservedSubgraphsProblem } from '#lib/header-propagation.js';
import { createHttpServer, type Listening } from '#lib/http.js';
import { anonymousGatewayToken, signGatewayToken, type Identity } from '#lib/identity.js';
import type { Logger } from '#lib/logger.js';
import { createRegistry, metricsHandler } from '#lib/metrics.js';
import { Readiness } from '#lib/probes.js';
import type { Drainable } from '#lib/shutdown.js';
import type { ApiKeyVerifier } from '#gateway/stages/identify/api-keys.js';
import { authorizationPolicy, supergraphForGateway } from '#gateway/stages/authorization/authorization.js';
import { createSubgraphDataSource } from '#gateway/fetch/data-source.js';
import type { SubgraphTransport } from '#gateway/fetch/transport.js';
import { createGatewayErrorFormatter } from '#gateway/pipeline/error-masking.js';
import { createExecutor } from '#gateway/execution/executor.js';
import { createAnswerWriter } from '#gateway/http/encoders/encoder.js';
import { applicationJson, graphqlResponseJson } from '#gateway/http/encoders/json.js';
import { multipartDefer } from '#gateway/http/encoders/multipart.js';
import { readOperations } from '#gateway/http/graphql-request.js';
import { routes } from '#gateway/http/routes.js';
import { createCors, webSocketOrigins } from '#gateway/http/cors.js';
import { eventStreamEncoders } from '#gateway/http/subscriptions/event-stream-encoders.js';
import { createGraphQLWsServer } from '#gateway/http/subscriptions/graphql-ws-server.js';
import { createOpenSubscriptions } from '#gateway/http/subscriptions/open-subscriptions.js';
import { createOperationRunner } from '#gateway/pipeline/operation-runner.js';
import { createSubscriptionMetrics } from '#gateway/pipeline/subscription-metrics.js';
import { subscriptionSlots } from '#gateway/pipeline/subscription-slots.js';
import { createSharedSubscriptions } from '#gateway/pipeline/shared-subscriptions.js';
import { createCostEstimator } from '#gateway/stages/cost/cost-estimator.js';
import type { Stage } from '#gateway/pipeline/stage.js';
import { corsHeaders, stagesFor } from './stage-list.js';
import { createOutcomeRecorder } from '#gateway/pipeline/outcome.js';
import { createGatewayMetrics } from '#gateway/pipeline/gateway-metrics.js';
import { createGraphQLEndpoint } from '#gateway/pipeline/graphql-endpoint.js';
import { connectRedis } from '#lib/redis.js';
import { createServedSupergraphs, parseContractClients } from '#gateway/supergraph/served-supergraphs.js';

export type GatewayOptions = {
  /** A composed Federation 2 supergraph, e.g. the contents of supergraph.graphql. */
  supergraphSdl: string;
  logger: Logger;
  /** Every limit and security setting; see docs/SECURITY.md and docs/SETTINGS.md. */
  env: Env;
  /** Where API keys are kept; without it (or `apiKeys`) the gateway accepts no API keys. */
  db?: Database;
  /** Verifies API keys instead of `db`: `junction gateway` opens the embedded database on first use (api-key-database.ts). */
  apiKeys?: ApiKeyVerifier | undefined;
  /** Path GraphQL is served at. */
  path?: string;
  /**
   * Changes the stage list (stagesFor, stage-list.ts) before it is used: adds a
   * policy of an embedder's or a test's own, in the order it needs.
   */
  stages?: ((stages: readonly Stage[]) => Stage[]) | undefined;
  /**
   * Contract supergraphs by name (e.g. contracts/partner.graphql's contents),
   * each served instead of `supergraphSdl` to the clients CONTRACT_CLIENTS maps to it.
   */
  contracts?: Readonly<Record<string, string>>;
  /**
   * The transport to each subgraph, picked here at the composition root by
   * its name and routing URL; HTTP POST (fetch/transports/http/) when absent.
   * Tracing, logs, metrics and the circuit breaker wrap whichever it is.
   */
  transport?: ((subgraph: { name: string; url: string }) => SubgraphTransport) | undefined;
};

export type Gateway = {
  /** The HTTP server, not yet listening. */
  server: Server;
  /** Answers /ready with 503 from now on (shutting down), while still serving. */
  drain(): void;
  /**
   * The gateway as a service to stop (lib/shutdown.ts): not ready at once;
   * when closing, every subscription ends "going away" (clients reconnect to
   * another instance) and requests in flight get the grace period.
   */
  drainable(listening: Listening): Drainable;
  /**
   * Serves another supergraph (or, given `contract`, another version of that
   * contract) from the next request on, without dropping a request in flight.
   * Throws, and keeps serving the current one, when `sdl` is not a valid
   * Federation 2 supergraph.
   */
  reload(sdl: string, contract?: string): void;
  /** Stops the gateway: call after the HTTP server has closed. */
  stop(): Promise<void>;
};

/**
 * The gateway over any Federation 2 supergraph: Apollo's query planner and
 * Junction's executor (execution/executor.ts) behind Junction's request
 * pipeline (pipeline/graphql-endpoint.ts) and its stages (stagesFor, stage-list.ts).
 * This is the composition root: the one place that picks the stages, the
 * transports and the encoders. Resolves once the supergraph is loaded, so a listening gateway
 * is a ready one.
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { logger, env, supergraphSdl } = options;
  const path = options.path ?? '/graphql';
  const production = env.production;

  // This gateway's own registry: several gateways in one process (tests, npm start) never share counts.
  const registry = env.METRICS ? createRegistry() : undefined;
  const metrics = registry
    ? createGatewayMetrics({ registry, circuits: () => supergraphs.dataSources(), pool: options.db ? poolUse(options.db) : undefined })
    : undefined;

  const propagation = env.gateway.propagateHeaders;
  const contracts = options.contracts ?? {};
  const contractClients = parseContractClients(env.CONTRACT_CLIENTS ?? []);
  const unserved = [...env.gateway.cost.contractMaxCost.keys()].filter((contract) => !Object.hasOwn(contracts, contract));
  if (unserved.length > 0) {
    throw new Error(`CONTRACT_MAX_COST names ${unserved.map((name) => `"${name}"`).join(', ')}, which ${unserved.length === 1 ? 'is' : 'are'} not served.`);
  }
  const supergraphs = createServedSupergraphs({
    supergraphSdl,
    contracts,
    contractClients,
    retireAfterMs: env.REQUEST_TIMEOUT_MS,
    build: (sdl, fetcher) => ({
      executor: createExecutor({
        // Apollo's supergraph loader refuses @authenticated/@requiresScopes (for: SECURITY); the pipeline enforces them.
        supergraphSdl: supergraphForGateway(sdl),
        // The pipeline lets only permitted callers through to introspection; off means off for everyone.
        introspection: env.INTROSPECTION !== false,
        onPlanCache: metrics?.planCache,
        planning: env.gateway.planning,
        onPlanned: metrics?.planned,
        fetcher,
      }),
      policy: authorizationPolicy(sdl),
      cost: createCostEstimator(sdl, { listSize: env.gateway.cost.listSize }),
    }),
    dataSource: ({ name, url }) =>
      createSubgraphDataSource({
        name,
        url,
        logger,
        production,
        timeoutMs: env.SUBGRAPH_TIMEOUT_MS,
        maxResponseBytes: env.SUBGRAPH_MAX_RESPONSE_BYTES,
        retry: env.SUBGRAPH_RETRY,
        breaker: { failureThreshold: env.CIRCUIT_BREAKER_FAILURES, resetMs: env.CIRCUIT_BREAKER_RESET_MS },
        metrics: metrics?.subgraph(name),
        transport: options.transport,
        propagateHeaders: propagation && headerRulesFor(propagation, name),
        subscriptions: env.gateway.subscriptionTransports.get(name),
      }),
  });
  // A rule for a subgraph the supergraph does not have is a typo that would forward nothing: refused at boot.
  const misnamed = (propagation && unservedSubgraphsProblem(propagation, servedSubgraphs())) || unroutedSubscriptions(env, servedSubgraphs());
  if (misnamed) {
    supergraphs.close();
    throw new Error(misnamed);
  }
  metrics?.supergraph('success');
  const mapped = new Set(contractClients.values());
  for (const contract of Object.keys(contracts)) {
    if (!mapped.has(contract)) logger.warn({ contract }, 'contract served to no client: CONTRACT_CLIENTS maps none to it');
  }

  // Every subscription open on this process, over any protocol: shutdown ends them "going away".
  const open = createOpenSubscriptions();
  const redis = env.REDIS_URL ? connectRedis(env.REDIS_URL, logger) : undefined;
  try {
    const standard = await stagesFor({ env, logger, db: options.db, apiKeys: options.apiKeys, redis, metrics, contractClients });
    const stages = options.stages ? options.stages(standard) : standard;
    const formatError = createGatewayErrorFormatter({ production });
    const subscriptionSettings = env.gateway.subscriptions;
    const subscriptionMetrics = registry && createSubscriptionMetrics(registry);
    const runner = createOperationRunner({
      stages,
      signIdentity: gatewayTokens(env.GATEWAY_SECRET),
      formatError,
      logger,
      metrics,
      slots: subscriptionSlots(subscriptionSettings.perClient, env.TRUST_PROXY),
      shared: createSharedSubscriptions(),
      maxResponseBytes: env.gateway.request.maxResponseBytes,
    });
    const streams = { queueSize: subscriptionSettings.queueSize, heartbeatMs: subscriptionSettings.heartbeatMs, open, metrics: subscriptionMetrics };
    // Preferred first; the last is the default (negotiate.ts). SSE and multipart stream a subscription's events.
    // Multipart (@defer) first, as Apollo Router prefers it for a client that reads parts: an answer without deferred parts still goes as JSON.
    const answers = createAnswerWriter([multipartDefer, graphqlResponseJson, ...eventStreamEncoders(streams), applicationJson]);
    const record = createOutcomeRecorder({ logger, logRequests: env.LOG_REQUESTS, metrics });
    const served = (identity: Identity | null) => supergraphs.for(identity);
    const graphql = createGraphQLEndpoint({
      runner,
      readOperations: (req) => readOperations(req, env.gateway.request, answers),
      streams: answers.streams,
      incremental: (req) => answers.incremental(req.headers.accept),
      send: answers,
      record,
      served,
      requestTimeoutMs: env.gateway.request.timeoutMs,
      maxResponseBytes: env.gateway.request.maxResponseBytes,
      logger,
    });
    // Ready while not shutting down: createGateway resolves only once the supergraph is loaded.
    const readiness = new Readiness();
    const server = createHttpServer(
      routes(graphql, path, env.GRAPHIQL, readiness, registry && metricsHandler(registry), createCors(env.gateway.cors, corsHeaders(env))),
      (error) => logger.error({ err: error }, 'request failed'),
      // Slow clients (headers, keep-alive) and greedy ones (connections); the body's timeout is readOperations'.
      env.gateway.server,
    );
    // graphql-ws on the same path: the stages, the executor and the answers' shaping are the HTTP requests' own.
    const webSockets = createGraphQLWsServer({
      path,
      runner,
      served,
      settings: subscriptionSettings,
      requestTimeoutMs: env.gateway.request.timeoutMs,
      allowedOrigin: webSocketOrigins(env.gateway.cors),
      open,
      record,
      logger,
      metrics: subscriptionMetrics,
    });
    server.on('upgrade', webSockets.upgrade);
    const drain = () => readiness.shutDown();
    const drainable = (listening: Listening): Drainable => ({
      drain,
      close: (graceMs) => {
        open.goAway();
        return listening.close(graceMs);
      },
    });
    return { server, drain, drainable, stop, reload };
  } catch (error) {
    redis?.disconnect();
    throw error;
  }

  /**
   * Serves `sdl` from the next request on; requests already running finish on
   * the supergraph they started with. An invalid supergraph throws, and the
   * current one keeps serving.
   */
  function reload(sdl: string, contract?: string): void {
    try {
      supergraphs.serve(sdl, contract);
    } catch (error) {
      metrics?.supergraph('failure');
      throw error;
    }
    metrics?.supergraph('success');
    // A subgraph taken out of the supergraph is a deploy, not a typo: its rules wait, idle, for it to come back.
    const idle = propagation ? unknownSubgraphs(propagation, servedSubgraphs()) : [];
    if (idle.length > 0) logger.warn({ subgraphs: idle }, 'PROPAGATE_HEADERS names subgraphs the served supergraph does not have: nothing is forwarded to them');
  }

  /** The names of the subgraphs served now, the contracts' included. */
  function servedSubgraphs(): string[] {
    return [...new Set([...supergraphs.dataSources()].map((dataSource) => dataSource.name))];
  }

  async function stop() {
    open.goAway();
    supergraphs.close();
    await redis?.quit().catch(() => redis.disconnect());
  }
}

/** SUBSCRIPTION_TRANSPORTS naming a subgraph the supergraph does not have: a typo, refused at boot. */
function unroutedSubscriptions(env: Env, served: readonly string[]): string | undefined {
  const unknown = [...env.gateway.subscriptionTransports.keys()].filter((name) => !served.includes(name));
  if (unknown.length === 0) return undefined;
  return `SUBSCRIPTION_TRANSPORTS names ${unknown.map((name) => `"${name}"`).join(', ')}, which the supergraph does not have (it has ${served.map((name) => `"${name}"`).join(', ')}).`;
}

/** Tokens are re-signed after this long: a subscription's events fetch long after its request, and a token lives 120 s. */
const TOKEN_REFRESH_MS = 60_000;

/**
 * Signs the identity for subgraphs when a fetch first needs it, again a minute
 * later for a request that lasts (a subscription's events); anonymous tokens
 * are shared for a minute.
 */
function gatewayTokens(secret: string) {
  const anonymous = anonymousGatewayToken(secret);
  return (identity: Identity | null): (() => Promise<string>) => {
    if (!identity) return anonymous;
    let token: Promise<string> | undefined;
    let signedAt = 0;
    return () => {
      if (token && performance.now() - signedAt < TOKEN_REFRESH_MS) return token;
      signedAt = performance.now();
      return (token = signGatewayToken(identity, secret));
    };
  };
}
