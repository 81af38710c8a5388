import { z } from 'zod';
import { parseHeaderPropagation, type HeaderPropagation } from './header-propagation.js';
import { parseCorsOrigins, type CorsOrigins } from './cors-origins.js';
import { parseSubscriptionTransports, type SubscriptionTransports } from './subscription-transports.js';

/** The environment variables Junction reads and how each is validated; lib/env.ts parses them once. */
const port = z.coerce.number().int().min(0).max(65535);
const count = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const millis = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
const list = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0));
const persistedMode = z.enum(['off', 'allowlist', 'enforce']);

/** CONTRACT_MAX_COST's `<contract>=<n>` entries, each contract once, each limit a positive whole number. */
function contractBudgets(entries: string[], context: z.RefinementCtx): Map<string, number> {
  const budgets = new Map<string, number>();
  for (const entry of entries) {
    const [contract = '', limit = '', ...rest] = entry.split('=').map((part) => part.trim());
    const max = Number(limit);
    if (contract === '' || rest.length > 0 || !/^\d+$/.test(limit) || !Number.isSafeInteger(max) || max < 1) {
      context.addIssue({ code: 'custom', message: `"${entry}" is not <contract>=<positive whole number>` });
    } else if (budgets.has(contract)) {
      context.addIssue({ code: 'custom', message: `contract "${contract}" is given a maximum cost twice` });
    } else {
      budgets.set(contract, max);
    }
  }
  return budgets;
}

/** PROPAGATE_HEADERS's entries as rules, every problem listed (header-propagation.ts). */
function headerPropagation(entries: string[], context: z.RefinementCtx): HeaderPropagation {
  const parsed = parseHeaderPropagation(entries);
  if (parsed.ok) return parsed.propagation;
  for (const problem of parsed.problems) context.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
}

/** SUBSCRIPTION_TRANSPORTS's entries as routes by subgraph, every problem listed (subscription-transports.ts). */
function subscriptionTransports(entries: string[], context: z.RefinementCtx): SubscriptionTransports {
  const parsed = parseSubscriptionTransports(entries);
  if (parsed.ok) return parsed.transports;
  for (const problem of parsed.problems) context.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
}

/** CORS_ORIGINS's entries, each an origin, a pattern or `*` (lib/cors-origins.ts says which is which). */
function corsOrigins(entries: string[], context: z.RefinementCtx): CorsOrigins {
  const { origins, problems } = parseCorsOrigins(entries);
  for (const message of problems) context.addIssue({ code: 'custom', message });
  return origins;
}

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:/.test(value), 'must be an http(s) URL');

export const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    /**
     * `json`: one JSON object per line, for log pipelines. `line`: one short line per event, for a
     * person (lib/log-line.ts). `pretty`: pino-pretty, each field on a line of its own.
     * Unset: `line` in development when standard output is a terminal, else `json`.
     */
    LOG_FORMAT: z.enum(['json', 'line', 'pretty']).optional(),
    /** One line per GraphQL operation the gateway answers: id, trace, operation, duration, outcome. */
    LOG_REQUESTS: flag.default(true),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
    JUNCTION_DATA_DIR: z.string().min(1).default('.data'),
    PORT: port.optional(),
    HOST: z.string().optional(),
    /** Shared by the gateway and the subgraphs: signs the identity the gateway forwards. */
    GATEWAY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    ACCOUNTS_URL: httpUrl.default('http://localhost:4001/graphql'),
    PRODUCTS_URL: httpUrl.default('http://localhost:4002/graphql'),

    // Database faults (every process that talks to Postgres).
    DATABASE_STATEMENT_TIMEOUT_MS: millis(5_000),
    DATABASE_POOL_TIMEOUT_MS: millis(5_000),

    // Every server: what SIGTERM and SIGINT do (lib/shutdown.ts).
    /** How long requests in flight at shutdown get to finish before their connections are closed. */
    SHUTDOWN_GRACE_MS: millis(10_000),
    /** How long a stopping process keeps serving while /ready already answers 503, so load balancers notice. */
    SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).default(0),
    /** Every server: GET /metrics in Prometheus text format (lib/metrics.ts); false leaves the route out. */
    METRICS: flag.default(true),
    // Every process: OpenTelemetry traces (lib/telemetry.ts), off unless an exporter or endpoint is named.
    // The OTLP exporter reads the rest of OTEL_EXPORTER_OTLP_* (headers, timeout) itself, as the spec has it.
    /** The spec's switch: "true", in upper or lower case, turns the SDK off; other values leave it to the variables below. */
    OTEL_SDK_DISABLED: z.string().transform((value) => value.trim().toLowerCase() === 'true').default(false),
    OTEL_TRACES_EXPORTER: list.pipe(z.array(z.enum(['otlp', 'console', 'none']))).optional(),
    OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
    OTEL_SERVICE_NAME: z.string().min(1).optional(),
    OTEL_TRACES_SAMPLER: z
      .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
      .default('parentbased_always_on'),
    OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),

    // Gateway: request limits.
    MAX_BODY_BYTES: count(2 * 1024 * 1024),
    MAX_TOKENS: count(15_000),
    MAX_DEPTH: count(15),
    MAX_ALIASES: count(30),
    MAX_ROOT_FIELDS: count(20),
    MAX_DIRECTIVES: count(50),
    MAX_FIELDS: count(2_000),
    MAX_FIELD_PAIRS: count(2_000),
    ALLOW_BATCHING: flag.default(false),
    MAX_BATCH_SIZE: count(10),
    // Gateway: demand control (gateway/src/stages/cost/). The most an operation's estimated cost may be; for anonymous
    // callers (unset: MAX_COST); `<contract>=<n>` entries for the clients served a contract; the size of unannotated lists.
    MAX_COST: count(50_000),
    MAX_COST_ANONYMOUS: z.coerce.number().int().min(1).optional(),
    CONTRACT_MAX_COST: list.transform(contractBudgets).optional(),
    COST_LIST_SIZE: count(10),
    // Gateway: what is exposed.
    INTROSPECTION: flag.optional(),
    INTROSPECTION_SCOPE: z.string().min(1).default('introspection'),
    GRAPHIQL: flag.optional(),
    // Gateway: persisted documents.
    APQ: flag.default(true),
    APQ_CACHE_SIZE: count(1_000),
    TRUSTED_DOCUMENTS: z.string().min(1).optional(),
    TRUSTED_DOCUMENTS_MODE: persistedMode.default('off'),
    TRUSTED_DOCUMENTS_CLIENT_MODES: list.optional(),
    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
    REDIS_PREFIX: z.string().default('junction:'),
    // Gateway: contracts. `<client>=<contract>` entries: the clients (Identity.client) served a contract, not the full supergraph.
    CONTRACT_CLIENTS: list.optional(),
    // Gateway: progressive @override (gateway/src/execution/override-labels.ts). Labels active on every request;
    // `<client>=<label>|<label>` entries for some clients; a header whose comma-separated labels a request activates.
    OVERRIDE_LABELS: list.optional(),
    OVERRIDE_LABEL_CLIENTS: list.optional(),
    OVERRIDE_LABEL_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name').optional(),
    // Gateway: client headers forwarded to subgraph fetches (lib/header-propagation.ts), none unless named:
    // `[<subgraph>:]<header>[><new name>]` entries, e.g. `accept-language,products:x-tenant>x-products-tenant`.
    // Credentials, hop-by-hop headers and those the gateway sets itself are refused.
    PROPAGATE_HEADERS: list.transform(headerPropagation).optional(),
    // Gateway: browsers on other origins (gateway/src/http/cors.ts). Origins and patterns allowed to read answers,
    // comma-separated (unset: any http://localhost:*, 127.0.0.1 or [::1] port in development, none in production);
    // whether they may send cookies or HTTP authentication (never with "*"); how long a browser keeps a preflight's answer.
    CORS_ORIGINS: list.transform(corsOrigins).optional(),
    CORS_CREDENTIALS: flag.default(false),
    CORS_MAX_AGE: z.coerce.number().int().min(0).max(86_400).default(600),
    // Gateway: who is calling.
    JWKS_URL: httpUrl.optional(),
    JWKS_FILE: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).default('junction'),
    JWT_ISSUER: z.string().min(1).optional(),
    /** Whether the gateway accepts API keys; false never opens a database for them. */
    API_KEYS: flag.default(true),
    API_KEY_CACHE_MS: z.coerce.number().int().min(0).default(10_000),
    TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
    // Gateway: rate limits (token buckets).
    RATE_LIMIT: flag.default(true),
    RATE_LIMIT_BURST: count(100),
    RATE_LIMIT_PER_SECOND: count(50),
    RATE_LIMIT_KEY_BURST: count(200),
    RATE_LIMIT_KEY_PER_SECOND: count(100),
    // Gateway: slow and greedy clients (lib/http.ts's ServerLimits). The last two default by TRUST_PROXY (serverLimits, below).
    HEADERS_TIMEOUT_MS: millis(10_000),
    BODY_TIMEOUT_MS: millis(10_000),
    MAX_CONNECTIONS: z.coerce.number().int().min(0).default(10_000),
    KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1).optional(),
    MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).optional(),
    // Gateway: query planning. Threads that plan new operations off the event loop (0: on it), and each plan's time budget.
    PLANNER_THREADS: z.coerce.number().int().min(0).max(16).optional(),
    PLAN_TIMEOUT_MS: millis(2_000),
    // Gateway: subgraph faults.
    SUBGRAPH_TIMEOUT_MS: millis(30_000),
    REQUEST_TIMEOUT_MS: millis(60_000),
    SUBGRAPH_MAX_RESPONSE_BYTES: count(50 * 1024 * 1024),
    // The most one request's answer may hold: its subgraphs' answers, and the JSON written from them (0: no limit).
    MAX_RESPONSE_BYTES: z.coerce.number().int().min(0).default(10 * 1024 * 1024),
    SUBGRAPH_RETRY: flag.default(true),
    CIRCUIT_BREAKER_FAILURES: count(5),
    CIRCUIT_BREAKER_RESET_MS: millis(10_000),
    // Gateway: subscriptions (gateway/src/http/subscriptions/): open at once per WebSocket connection and per client
    // (per gateway process), events waiting for a slow consumer before it is cut off, graphql-ws's connection_init
    // wait, the WebSocket ping interval (0: none), and the heartbeat of HTTP event streams (SSE, multipart).
    SUBSCRIPTIONS_PER_CONNECTION: count(100),
    SUBSCRIPTIONS_PER_CLIENT: count(1_000),
    SUBSCRIPTION_QUEUE_SIZE: count(100),
    WS_INIT_TIMEOUT_MS: millis(3_000),
    WS_KEEPALIVE_MS: z.coerce.number().int().min(0).default(12_000),
    SUBSCRIPTION_HEARTBEAT_MS: millis(5_000),
    // Gateway: how it subscribes to subgraphs (lib/subscription-transports.ts): `<subgraph>:ws|sse[=<url>]` entries;
    // a subgraph not named gets graphql-ws at its routing URL.
    SUBSCRIPTION_TRANSPORTS: list.transform(subscriptionTransports).optional(),
    // Gateway: hot reload of a supergraph given as a URL (gateway/src/supergraph/supergraph-url.ts).
    SUPERGRAPH_POLL_INTERVAL_MS: millis(10_000),
  })
  .refine((env) => !(env.JWKS_URL && env.JWKS_FILE), {
    message: 'set JWKS_URL or JWKS_FILE, not both',
    path: ['JWKS_URL'],
  });

export type ParsedEnv = z.output<typeof schema>;
