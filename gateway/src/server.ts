import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError } from 'graphql';
import { poolUse, type Database } from '#lib/db.js';
import type { Env } from '#lib/env.js';
import { createHttpServer, sendError, type Handler } from '#lib/http.js';
import type { Identity } from '#lib/identity.js';
import type { Logger } from '#lib/logger.js';
import { createRegistry, metricsHandler } from '#lib/metrics.js';
import { probeRoutes, Readiness } from '#lib/probes.js';
import { createApiKeyVerifier } from '#gateway/stages/identify/api-keys.js';
import { jwtVerifierFromEnv } from '#gateway/stages/identify/jwt.js';
import { authorizationPolicy, supergraphForGateway } from '#gateway/stages/authorization/authorization.js';
import { SubgraphDataSource } from '#gateway/fetch/data-source.js';
import { createGatewayErrorFormatter } from '#gateway/pipeline/error-masking.js';
import { createExecutor } from '#gateway/execution/executor.js';
import { IDE_ASSET_PREFIX, IDE_PAGE_HEADERS, ideAsset, prefersHtml, renderIdePage } from '#gateway/http/ide.js';
import { createDocumentChecker } from '#gateway/stages/limits/document-checker.js';
import { createPersistedDocuments, loadTrustedDocuments, parseClientModes } from '#gateway/stages/persisted-documents/persisted-documents.js';
import { createGatewayMetrics } from '#gateway/pipeline/gateway-metrics.js';
import { createGraphQLEndpoint } from '#gateway/pipeline/graphql-endpoint.js';
import { createRateLimiter } from '#gateway/stages/rate-limit/rate-limiter.js';
import { connectRedis } from '#lib/redis.js';
import { createServedSupergraphs, parseContractClients } from '#gateway/supergraph/served-supergraphs.js';

export type GatewayOptions = {
  /** A composed Federation 2 supergraph, e.g. the contents of supergraph.graphql. */
  supergraphSdl: string;
  logger: Logger;
  /** Every limit and security setting; see the README's security section. */
  env: Env;
  /** Where API keys are kept; without one the gateway accepts no API keys. */
  db?: Database;
  /** Path GraphQL is served at. */
  path?: string;
  /**
   * Contract supergraphs by name (e.g. contracts/partner.graphql's contents),
   * each served instead of `supergraphSdl` to the clients CONTRACT_CLIENTS maps to it.
   */
  contracts?: Readonly<Record<string, string>>;
};

export type Gateway = {
  /** The HTTP server, not yet listening. */
  server: Server;
  /** Answers /ready with 503 from now on (shutting down), while still serving. */
  drain(): void;
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

const unauthenticated = (message: string) => new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });

/**
 * Who is calling: an API key (`x-api-key`), a JWT (`Authorization: Bearer`),
 * or nobody. Bad credentials are refused rather than treated as anonymous, so
 * a caller learns their key or token is wrong.
 */
async function createIdentify(env: Env, db: Database | undefined) {
  const verifyJwt = await jwtVerifierFromEnv(env);
  const verifyKey = db ? createApiKeyVerifier(db, { cacheMs: env.API_KEY_CACHE_MS }) : undefined;

  return async (req: IncomingMessage): Promise<Identity | null> => {
    const apiKey = req.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey) {
      if (!verifyKey) throw unauthenticated('This gateway accepts no API keys.');
      return verifyKey(apiKey);
    }
    const authorization = req.headers.authorization;
    if (!authorization) return null;
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (!bearer) throw unauthenticated('The Authorization header must be "Bearer <token>".');
    return verifyJwt(bearer);
  };
}

/**
 * The gateway over any Federation 2 supergraph: Apollo's query planner and
 * Junction's executor (executor.ts) behind Junction's request pipeline (see
 * pipeline.ts). Resolves once the supergraph is loaded, so a listening gateway
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

  const contracts = options.contracts ?? {};
  const contractClients = parseContractClients(env.CONTRACT_CLIENTS ?? []);
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
        fetcher,
      }),
      policy: authorizationPolicy(sdl),
    }),
    dataSource: ({ name, url }) =>
      new SubgraphDataSource({
        name,
        url,
        logger,
        production,
        timeoutMs: env.SUBGRAPH_TIMEOUT_MS,
        maxResponseBytes: env.SUBGRAPH_MAX_RESPONSE_BYTES,
        retry: env.SUBGRAPH_RETRY,
        breaker: { failureThreshold: env.CIRCUIT_BREAKER_FAILURES, resetMs: env.CIRCUIT_BREAKER_RESET_MS },
        metrics: metrics?.subgraph(name),
      }),
  });
  metrics?.supergraph('success');
  const mapped = new Set(contractClients.values());
  for (const contract of Object.keys(contracts)) {
    if (!mapped.has(contract)) logger.warn({ contract }, 'contract served to no client: CONTRACT_CLIENTS maps none to it');
  }

  const redis = env.REDIS_URL ? connectRedis(env.REDIS_URL, logger) : undefined;
  try {
    const trusted = env.TRUSTED_DOCUMENTS ? await loadTrustedDocuments(env.TRUSTED_DOCUMENTS) : undefined;
    const persisted = createPersistedDocuments({
      apq: env.APQ,
      apqCacheSize: env.APQ_CACHE_SIZE,
      ...(redis ? { redis } : {}),
      redisPrefix: env.REDIS_PREFIX,
      ...(trusted ? { trusted } : {}),
      defaultMode: env.TRUSTED_DOCUMENTS_MODE,
      clientModes: parseClientModes(env.TRUSTED_DOCUMENTS_CLIENT_MODES ?? []),
      logger,
    });
    const identify = await createIdentify(env, options.db);

    const graphql = createGraphQLEndpoint({
      served: (identity) => supergraphs.for(identity),
      formatError: createGatewayErrorFormatter({ production }),
      env,
      logger,
      identify,
      checkDocument: createDocumentChecker({
        maxTokens: env.MAX_TOKENS,
        maxDepth: env.MAX_DEPTH,
        maxAliases: env.MAX_ALIASES,
        maxRootFields: env.MAX_ROOT_FIELDS,
        maxDirectives: env.MAX_DIRECTIVES,
        maxFields: env.MAX_FIELDS,
        maxFieldPairs: env.MAX_FIELD_PAIRS,
      }),
      persisted,
      rateLimiter: env.RATE_LIMIT ? createRateLimiter({ ...(redis ? { redis } : {}), prefix: env.REDIS_PREFIX, logger }) : undefined,
      metrics,
    });
    // Ready while not shutting down: createGateway resolves only once the supergraph is loaded.
    const readiness = new Readiness();
    const server = createHttpServer(routes(graphql, path, env.GRAPHIQL, readiness, registry && metricsHandler(registry)), (error) => logger.error({ err: error }, 'request failed'));
    return { server, drain: () => readiness.shutDown(), stop, reload };
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
  }

  async function stop() {
    supergraphs.close();
    await redis?.quit().catch(() => redis.disconnect());
  }
}

/** GraphQL at `path`, liveness at /health, readiness at /ready, metrics at /metrics, and GraphiQL (page and assets) when enabled. */
function routes(graphql: Handler, path: string, graphiql: boolean, readiness: Readiness, metrics: Handler | undefined): Record<string, Handler> {
  const idePage = renderIdePage({ endpoint: path, title: 'Junction GraphiQL' });
  const endpoint: Handler = (req, res) => {
    if (graphiql && req.method === 'GET' && prefersHtml(req.headers.accept)) {
      res.writeHead(200, IDE_PAGE_HEADERS);
      res.end(idePage);
      return;
    }
    return graphql(req, res);
  };
  const assets: Handler = (req, res) => {
    const url = req.url ?? '/';
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    const asset =
      graphiql && isRead && url.startsWith(IDE_ASSET_PREFIX)
        ? ideAsset(url.split('?')[0] ?? url, {
            ...(req.headers['accept-encoding'] ? { acceptEncoding: req.headers['accept-encoding'] } : {}),
            ...(req.headers['if-none-match'] ? { ifNoneMatch: req.headers['if-none-match'] } : {}),
          })
        : null;
    if (!asset) return sendError(res, 404, 'NOT_FOUND', 'Not found.');
    res.writeHead(asset.status, asset.headers);
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  };
  return {
    [path]: endpoint,
    ...probeRoutes(readiness),
    // Prometheus text format (lib/metrics.ts); METRICS=false leaves it out.
    ...(metrics ? { '/metrics': metrics } : {}),
    '*': assets,
  };
}
