import { DEVELOPMENT_ORIGINS, type CorsOrigins } from './cors-origins.js';
import type { ParsedEnv } from './env-schema.js';
import type { HeaderPropagation } from './header-propagation.js';
import type { SubscriptionTransports } from './subscription-transports.js';

type Bucket = { burst: number; perSecond: number };

/** Typed settings for each part of the gateway's request pipeline (gateway/src/stages/), read from the variables above. */
export type GatewaySettings = {
  /** Reading requests (gateway/src/http/graphql-request.ts) and the deadline of each. */
  request: { maxBodyBytes: number; bodyTimeoutMs: number; allowBatching: boolean; maxBatchSize: number; timeoutMs: number; maxResponseBytes: number };
  /** What the HTTP server allows each connection (lib/http.ts's ServerLimits). */
  server: {
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    maxConnections: number;
    maxConnectionsPerAddress: number;
  };
  /**
   * Which browser origins may read answers (gateway/src/http/cors.ts), with
   * cookies or HTTP authentication when `credentials`, and how long a browser
   * keeps a preflight's answer; undefined for none: same-origin only, no CORS
   * header at all (production's default).
   */
  cors: { origins: CorsOrigins; credentials: boolean; maxAgeSeconds: number } | undefined;
  identify: { apiKeyCacheMs: number };
  /** Token buckets per address (anonymous, JWT) and per API key; false when RATE_LIMIT is off. */
  rateLimit: false | { anonymous: Bucket; apiKey: Bucket; trustProxy: number; redisPrefix: string };
  persistedDocuments: {
    apq: boolean;
    apqCacheSize: number;
    trustedDocuments: string | undefined;
    defaultMode: 'off' | 'allowlist' | 'enforce';
    clientModes: readonly string[];
    redisPrefix: string;
  };
  limits: {
    maxTokens: number;
    maxDepth: number;
    maxAliases: number;
    maxRootFields: number;
    maxDirectives: number;
    maxFields: number;
    maxFieldPairs: number;
  };
  /**
   * Demand control: the most an operation's estimated cost may be, by who is
   * calling (an API key's own limit comes with its identity), and the size
   * assumed for a list `@listSize` says nothing about.
   */
  cost: { maxCost: number; anonymousMaxCost: number; contractMaxCost: ReadonlyMap<string, number>; listSize: number };
  /** Whether anyone may introspect (true), nobody (false), or only callers with `scope` (undefined). */
  introspection: { allowed: boolean | undefined; scope: string };
  overrideLabels: { always: readonly string[]; clients: readonly string[]; header: string | undefined };
  /** PROPAGATE_HEADERS: the client headers forwarded to subgraphs, for all or per subgraph; undefined when none are. */
  propagateHeaders: HeaderPropagation | undefined;
  /** SUBSCRIPTION_TRANSPORTS: graphql-ws or SSE, and where, by subgraph; graphql-ws at the routing URL for any other. */
  subscriptionTransports: SubscriptionTransports;
  /** Planning threads (0: plan on the event loop, the default in tests) and each plan's time budget. */
  planning: { threads: number; timeoutMs: number };
  /**
   * Subscriptions over graphql-ws, SSE and multipart HTTP: how many may be open
   * at once per WebSocket connection and per client, how many events may wait
   * for a consumer that reads slower than they come, and the protocols' timers.
   */
  subscriptions: {
    perConnection: number;
    perClient: number;
    queueSize: number;
    initTimeoutMs: number;
    keepAliveMs: number;
    heartbeatMs: number;
    /** MAX_BODY_BYTES: the largest WebSocket message read, as the largest body. */
    maxMessageBytes: number;
  };
};

export function gatewaySettings(env: ParsedEnv, introspection: boolean | undefined): GatewaySettings {
  return {
    request: {
      maxBodyBytes: env.MAX_BODY_BYTES,
      bodyTimeoutMs: env.BODY_TIMEOUT_MS,
      allowBatching: env.ALLOW_BATCHING,
      maxBatchSize: env.MAX_BATCH_SIZE,
      timeoutMs: env.REQUEST_TIMEOUT_MS,
      maxResponseBytes: env.MAX_RESPONSE_BYTES,
    },
    server: serverLimits(env),
    cors: corsSettings(env),
    identify: { apiKeyCacheMs: env.API_KEY_CACHE_MS },
    rateLimit: env.RATE_LIMIT && {
      anonymous: { burst: env.RATE_LIMIT_BURST, perSecond: env.RATE_LIMIT_PER_SECOND },
      apiKey: { burst: env.RATE_LIMIT_KEY_BURST, perSecond: env.RATE_LIMIT_KEY_PER_SECOND },
      trustProxy: env.TRUST_PROXY,
      redisPrefix: env.REDIS_PREFIX,
    },
    persistedDocuments: {
      apq: env.APQ,
      apqCacheSize: env.APQ_CACHE_SIZE,
      trustedDocuments: env.TRUSTED_DOCUMENTS,
      defaultMode: env.TRUSTED_DOCUMENTS_MODE,
      clientModes: env.TRUSTED_DOCUMENTS_CLIENT_MODES ?? [],
      redisPrefix: env.REDIS_PREFIX,
    },
    limits: {
      maxTokens: env.MAX_TOKENS,
      maxDepth: env.MAX_DEPTH,
      maxAliases: env.MAX_ALIASES,
      maxRootFields: env.MAX_ROOT_FIELDS,
      maxDirectives: env.MAX_DIRECTIVES,
      maxFields: env.MAX_FIELDS,
      maxFieldPairs: env.MAX_FIELD_PAIRS,
    },
    cost: {
      maxCost: env.MAX_COST,
      anonymousMaxCost: env.MAX_COST_ANONYMOUS ?? env.MAX_COST,
      contractMaxCost: env.CONTRACT_MAX_COST ?? new Map(),
      listSize: env.COST_LIST_SIZE,
    },
    introspection: { allowed: introspection, scope: env.INTROSPECTION_SCOPE },
    overrideLabels: { always: env.OVERRIDE_LABELS ?? [], clients: env.OVERRIDE_LABEL_CLIENTS ?? [], header: env.OVERRIDE_LABEL_HEADER },
    propagateHeaders: forwardsAny(env.PROPAGATE_HEADERS) ? env.PROPAGATE_HEADERS : undefined,
    subscriptionTransports: env.SUBSCRIPTION_TRANSPORTS ?? new Map(),
    planning: { threads: env.PLANNER_THREADS ?? (env.NODE_ENV === 'test' ? 0 : 1), timeoutMs: env.PLAN_TIMEOUT_MS },
    subscriptions: {
      perConnection: env.SUBSCRIPTIONS_PER_CONNECTION,
      perClient: env.SUBSCRIPTIONS_PER_CLIENT,
      queueSize: env.SUBSCRIPTION_QUEUE_SIZE,
      initTimeoutMs: env.WS_INIT_TIMEOUT_MS,
      keepAliveMs: env.WS_KEEPALIVE_MS,
      heartbeatMs: env.SUBSCRIPTION_HEARTBEAT_MS,
      maxMessageBytes: env.MAX_BODY_BYTES,
    },
  };
}

/** Whether the rules forward anything (`PROPAGATE_HEADERS=,` gives none): off costs nothing per request. */
function forwardsAny(propagation: HeaderPropagation | undefined): propagation is HeaderPropagation {
  return propagation !== undefined && (propagation.all.length > 0 || propagation.subgraphs.size > 0);
}

/** CORS_ORIGINS, else a dev server on this machine in development and nothing in production. */
function corsSettings(env: ParsedEnv): GatewaySettings['cors'] {
  const origins = env.CORS_ORIGINS ?? (env.NODE_ENV === 'production' ? undefined : DEVELOPMENT_ORIGINS);
  return origins && { origins, credentials: env.CORS_CREDENTIALS, maxAgeSeconds: env.CORS_MAX_AGE };
}

/** What the stages before the body (identify, rate limit) may take, added to the outer bound of a request's arrival. */
const BEFORE_BODY_MS = 10_000;

/**
 * The socket's peer is the client unless TRUST_PROXY says proxies are in
 * front. Then it is a proxy, which pools its connections to us: a cap per
 * address would cap the proxy, and a keep-alive shorter than its idle timeout
 * (60 s for AWS's ALB and nginx) lets it send a request down a connection we
 * are closing, which its client sees as a 502.
 */
function serverLimits(env: ParsedEnv): GatewaySettings['server'] {
  const behindProxy = env.TRUST_PROXY > 0;
  return {
    headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
    // Node's own bound on a request's arrival (300 s unless told): behind ours, for a body no one reads (a 401, a 429).
    requestTimeoutMs: env.HEADERS_TIMEOUT_MS + BEFORE_BODY_MS + env.BODY_TIMEOUT_MS,
    keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS ?? (behindProxy ? 65_000 : 5_000),
    maxConnections: env.MAX_CONNECTIONS,
    maxConnectionsPerAddress: env.MAX_CONNECTIONS_PER_ADDRESS ?? (behindProxy ? 0 : 100),
  };
}
