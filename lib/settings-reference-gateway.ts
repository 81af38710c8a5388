import type { SettingReference, Variable } from './settings-groups.js';

/** What the gateway's own environment variables mean (settings-reference.ts joins them with the others). */
export const GATEWAY_SETTINGS = {
  MAX_BODY_BYTES: { group: 'Gateway: requests', usedBy: 'gateway', meaning: 'The largest request body: 413 `PAYLOAD_TOO_LARGE` past it, before parsing.' },
  MAX_TOKENS: { group: 'Gateway: requests', usedBy: 'gateway', meaning: 'The most lexical tokens in a document: 400 `GRAPHQL_PARSE_FAILED` past it.' },
  MAX_DEPTH: { group: 'Gateway: requests', usedBy: 'gateway', meaning: 'The deepest selection, fragments expanded: 400 `GRAPHQL_VALIDATION_FAILED` past it.' },
  MAX_ALIASES: { group: 'Gateway: requests', usedBy: 'gateway', meaning: 'The most aliases, counted per fragment spread.' },
  MAX_ROOT_FIELDS: { group: 'Gateway: requests', usedBy: 'gateway', meaning: 'The most root fields in an operation.' },
  MAX_DIRECTIVES: { group: 'Gateway: requests', usedBy: 'gateway', meaning: 'The most directive uses in a document.' },
  MAX_FIELDS: { group: 'Gateway: requests', usedBy: 'gateway', meaning: 'The most selections in a document.' },
  MAX_FIELD_PAIRS: { group: 'Gateway: requests', usedBy: 'gateway', meaning: 'The most same-name field pairs validation compares (field bombs).' },
  ALLOW_BATCHING: { group: 'Gateway: requests', usedBy: 'gateway', meaning: 'Whether a POST may carry a list of operations; refused with 400 `BATCHING_NOT_SUPPORTED` otherwise.' },
  MAX_BATCH_SIZE: { group: 'Gateway: requests', usedBy: 'gateway', meaning: 'The most operations in one batch.' },
  MAX_RESPONSE_BYTES: {
    group: 'Gateway: requests',
    usedBy: 'gateway',
    meaning:
      'The most one request’s answer may hold: its subgraphs’ answers as they arrive, and the JSON written from them (a batch’s operations together). Past it: `RESPONSE_TOO_LARGE`, no partial data. 0: no limit.',
  },

  CORS_ORIGINS: {
    group: 'Gateway: browsers on other origins',
    usedBy: 'gateway',
    default: '`http://localhost:*,http://127.0.0.1:*,http://[::1]:*` in development; none in production (same origin only)',
    meaning:
      'Origins (`https://app.example.com`), patterns (`*.example.com`: any subdomain, https, default port; `http://localhost:*`: any port) or `*` whose pages may read answers, comma-separated.',
  },
  CORS_CREDENTIALS: {
    group: 'Gateway: browsers on other origins',
    usedBy: 'gateway',
    meaning: '`true` answers `Access-Control-Allow-Credentials: true`, for pages that send cookies or HTTP authentication; never with `CORS_ORIGINS=*`.',
  },
  CORS_MAX_AGE: { group: 'Gateway: browsers on other origins', usedBy: 'gateway', meaning: 'Seconds a browser may keep a preflight’s answer (0 to 86,400).' },

  JWKS_URL: {
    group: 'Gateway: who is calling',
    usedBy: 'gateway',
    meaning: 'The identity provider’s JSON Web Key Set, against which `Authorization: Bearer` JWTs are verified (RS256 or ES256).',
  },
  JWKS_FILE: {
    group: 'Gateway: who is calling',
    usedBy: 'gateway',
    default: 'in development, `.data/dev-jwks.json` (for `npx junction token`)',
    meaning: 'The same, from a file; not together with `JWKS_URL`.',
  },
  JWT_AUDIENCE: { group: 'Gateway: who is calling', usedBy: 'gateway', meaning: 'The `aud` a JWT must name.' },
  JWT_ISSUER: { group: 'Gateway: who is calling', usedBy: 'gateway', default: 'any issuer', meaning: 'The `iss` a JWT must name.' },
  API_KEYS: {
    group: 'Gateway: who is calling',
    usedBy: 'gateway',
    meaning: 'Whether `x-api-key` is accepted (keys from `npx junction api-key`); `false` never opens a database for them.',
  },
  API_KEY_CACHE_MS: { group: 'Gateway: who is calling', usedBy: 'gateway', meaning: 'How long a looked-up key is kept: a revocation takes effect within it.' },
  TRUST_PROXY: {
    group: 'Gateway: who is calling',
    usedBy: 'gateway',
    meaning: 'Behind N proxies, the client address is taken N hops back in `X-Forwarded-For`; 0 trusts none.',
  },

  INTROSPECTION: {
    group: 'Gateway: what is exposed',
    usedBy: 'gateway',
    default: 'on in development; in production, for callers with `INTROSPECTION_SCOPE`',
    meaning: '`true` opens introspection to everyone, `false` closes it to everyone.',
  },
  INTROSPECTION_SCOPE: { group: 'Gateway: what is exposed', usedBy: 'gateway', meaning: 'The scope that lets a caller introspect in production.' },
  GRAPHIQL: { group: 'Gateway: what is exposed', usedBy: 'gateway', default: 'on in development, off in production', meaning: 'Serves GraphiQL on the GraphQL path to browsers.' },

  APQ: { group: 'Gateway: persisted documents', usedBy: 'gateway', meaning: 'Automatic persisted queries.' },
  APQ_CACHE_SIZE: { group: 'Gateway: persisted documents', usedBy: 'gateway', meaning: 'Documents kept in the in-memory APQ cache.' },
  TRUSTED_DOCUMENTS: {
    group: 'Gateway: persisted documents',
    usedBy: 'gateway',
    meaning: 'A folder of Apollo persisted query manifests, one per client (`<dir>/<client>.json`).',
  },
  TRUSTED_DOCUMENTS_MODE: {
    group: 'Gateway: persisted documents',
    usedBy: 'gateway',
    meaning: '`off` runs anything; `allowlist` runs only listed operations, by id or by text; `enforce` runs only ids.',
  },
  TRUSTED_DOCUMENTS_CLIENT_MODES: {
    group: 'Gateway: persisted documents',
    usedBy: 'gateway',
    meaning: '`<client>=<mode>` entries, comma-separated, e.g. `web=enforce,partner=allowlist`.',
  },
  REDIS_URL: {
    group: 'Gateway: persisted documents',
    usedBy: 'gateway',
    default: 'none: in memory, per process',
    meaning: 'A `redis://` URL: APQ and rate limits shared by every gateway replica.',
  },
  REDIS_PREFIX: { group: 'Gateway: persisted documents', usedBy: 'gateway', meaning: 'The prefix of the gateway’s Redis keys.' },

  RATE_LIMIT: { group: 'Gateway: rate limits', usedBy: 'gateway', meaning: 'Token buckets per API key and per client address; `false` turns them off.' },
  RATE_LIMIT_BURST: { group: 'Gateway: rate limits', usedBy: 'gateway', meaning: 'Requests a client address may send at once.' },
  RATE_LIMIT_PER_SECOND: { group: 'Gateway: rate limits', usedBy: 'gateway', meaning: 'Requests per second a client address is refilled with.' },
  RATE_LIMIT_KEY_BURST: { group: 'Gateway: rate limits', usedBy: 'gateway', meaning: 'The same per API key, unless the key has its own.' },
  RATE_LIMIT_KEY_PER_SECOND: { group: 'Gateway: rate limits', usedBy: 'gateway', meaning: 'The same per API key, unless the key has its own.' },

  MAX_COST: {
    group: 'Gateway: demand control',
    usedBy: 'gateway',
    meaning: 'The most an operation’s estimated cost may be: 400 `COST_ESTIMATED_TOO_EXPENSIVE` past it, before any subgraph is called.',
  },
  MAX_COST_ANONYMOUS: { group: 'Gateway: demand control', usedBy: 'gateway', default: '`MAX_COST`', meaning: 'The same, for anonymous callers.' },
  CONTRACT_MAX_COST: {
    group: 'Gateway: demand control',
    usedBy: 'gateway',
    default: '`MAX_COST`',
    meaning: '`<contract>=<n>` entries, comma-separated: the limit for the clients served a contract (an API key’s `--max-cost` comes first).',
  },
  COST_LIST_SIZE: { group: 'Gateway: demand control', usedBy: 'gateway', meaning: 'The size assumed for a list `@listSize` says nothing about.' },

  HEADERS_TIMEOUT_MS: { group: 'Gateway: slow and greedy clients', usedBy: 'gateway', meaning: 'A request’s headers must arrive within it, from their first byte.' },
  BODY_TIMEOUT_MS: { group: 'Gateway: slow and greedy clients', usedBy: 'gateway', meaning: 'A request’s body must arrive within it: 408 `BODY_TIMEOUT` past it.' },
  KEEP_ALIVE_TIMEOUT_MS: {
    group: 'Gateway: slow and greedy clients',
    usedBy: 'gateway',
    default: '5000; 65000 when `TRUST_PROXY` is set',
    meaning: 'How long an idle kept-alive connection is kept.',
  },
  MAX_CONNECTIONS_PER_ADDRESS: {
    group: 'Gateway: slow and greedy clients',
    usedBy: 'gateway',
    default: '100; no cap when `TRUST_PROXY` is set',
    meaning: 'Open connections from one address; a new one past it is closed unread. 0: no cap.',
  },
  MAX_CONNECTIONS: { group: 'Gateway: slow and greedy clients', usedBy: 'gateway', meaning: 'Open connections in all. 0: no cap.' },

  PLANNER_THREADS: {
    group: 'Gateway: query planning',
    usedBy: 'gateway',
    default: '1; 0 in tests',
    meaning: 'Worker threads that plan new operations off the event loop; 0 plans on it.',
  },
  PLAN_TIMEOUT_MS: {
    group: 'Gateway: query planning',
    usedBy: 'gateway',
    meaning: 'A plan not made within it is refused with 400 `QUERY_PLANNING_TIMEOUT` and its thread replaced.',
  },

  SUBGRAPH_TIMEOUT_MS: { group: 'Gateway: subgraph faults', usedBy: 'gateway', meaning: 'The longest wait for one subgraph fetch’s complete answer, retry included.' },
  REQUEST_TIMEOUT_MS: { group: 'Gateway: subgraph faults', usedBy: 'gateway', meaning: 'The whole request’s deadline: fetches still running then are abandoned.' },
  SUBGRAPH_MAX_RESPONSE_BYTES: {
    group: 'Gateway: subgraph faults',
    usedBy: 'gateway',
    meaning:
      'A larger answer from one subgraph is cut off: its fields are null with `DOWNSTREAM_SERVICE_ERROR`. A larger subscription event (graphql-ws message or SSE event) ends its subscription with `SUBSCRIPTION_SOURCE_FAILED`.',
  },
  SUBGRAPH_RETRY: { group: 'Gateway: subgraph faults', usedBy: 'gateway', meaning: 'Whether a query whose connection failed before any answer is tried once more (never a mutation).' },
  CIRCUIT_BREAKER_FAILURES: { group: 'Gateway: subgraph faults', usedBy: 'gateway', meaning: 'Failures in a row after which a subgraph is not called for a while.' },
  CIRCUIT_BREAKER_RESET_MS: { group: 'Gateway: subgraph faults', usedBy: 'gateway', meaning: 'How long an open circuit stays open before one trial request.' },
  SUBSCRIPTION_TRANSPORTS: {
    group: 'Gateway: subgraph faults',
    usedBy: 'gateway',
    default: 'graphql-ws at each subgraph’s routing URL (http → ws)',
    meaning:
      'How the gateway subscribes to subgraphs: comma-separated `<subgraph>:ws|sse[=<url>]` entries, e.g. `reviews:sse=http://reviews:4002/graphql/stream,inventory:ws=ws://inventory:4003/ws`. `ws` is graphql-ws (`graphql-transport-ws`), one connection per caller identity; `sse` is GraphQL over SSE (distinct connections). A subgraph the supergraph does not have is refused at boot.',
  },

  CONTRACT_CLIENTS: {
    group: 'Gateway: contracts and progressive override',
    usedBy: 'gateway, start',
    meaning: '`<client>=<contract>` entries, comma-separated: the clients served a contract instead of the full supergraph.',
  },
  OVERRIDE_LABELS: {
    group: 'Gateway: contracts and progressive override',
    usedBy: 'gateway',
    default: 'none (`percent(N)` labels are drawn per request)',
    meaning: 'Progressive `@override` labels active on every request, comma-separated.',
  },
  OVERRIDE_LABEL_CLIENTS: {
    group: 'Gateway: contracts and progressive override',
    usedBy: 'gateway',
    meaning: '`<client>=<label>|<label>` entries, comma-separated: labels active for those clients’ requests.',
  },
  PROPAGATE_HEADERS: {
    group: 'Gateway: who is calling',
    usedBy: 'gateway',
    default: 'none: no client header reaches a subgraph',
    meaning:
      'Client headers forwarded to subgraphs: comma-separated `[<subgraph>:]<header>[><new name>]` entries, e.g. `accept-language,products:x-tenant>x-products-tenant`. Credentials and hop-by-hop headers are refused at boot; a value over 1 KB is refused with 431 `REQUEST_HEADER_TOO_LARGE`.',
  },
  OVERRIDE_LABEL_HEADER: {
    group: 'Gateway: contracts and progressive override',
    usedBy: 'gateway',
    meaning: 'A request header whose comma-separated labels are active for that request, e.g. `x-override-labels`.',
  },
  SUBSCRIPTIONS_PER_CONNECTION: {
    group: 'Gateway: subscriptions',
    usedBy: 'gateway',
    meaning: 'Subscriptions one WebSocket connection may have open at once; one more is refused with `SUBSCRIPTION_LIMIT_REACHED`.',
  },
  SUBSCRIPTIONS_PER_CLIENT: {
    group: 'Gateway: subscriptions',
    usedBy: 'gateway',
    meaning:
      'Subscriptions one client (an API key’s client, a JWT’s subject, else an address) may have open at once on one gateway process, over every protocol; one more is refused with `SUBSCRIPTION_LIMIT_REACHED`.',
  },
  SUBSCRIPTION_QUEUE_SIZE: {
    group: 'Gateway: subscriptions',
    usedBy: 'gateway',
    meaning:
      'Events one subscription may hold for a client that reads slower than they come. One more closes it: WebSocket code 4008, or a last `SUBSCRIPTION_CONSUMER_TOO_SLOW` error on SSE and multipart, so memory stays bounded; a client that reads nothing of it within 5 s is cut.',
  },
  WS_INIT_TIMEOUT_MS: {
    group: 'Gateway: subscriptions',
    usedBy: 'gateway',
    meaning: 'How long a WebSocket may stay open without `connection_init` before it is closed (4408, as graphql-ws has it).',
  },
  WS_KEEPALIVE_MS: {
    group: 'Gateway: subscriptions',
    usedBy: 'gateway',
    meaning: 'How often the gateway pings each WebSocket; one that has not answered by the next ping is cut. 0: no pings.',
  },
  SUBSCRIPTION_HEARTBEAT_MS: {
    group: 'Gateway: subscriptions',
    usedBy: 'gateway',
    meaning: 'How often an HTTP event stream (SSE, multipart) with nothing to say sends a heartbeat, so proxies and clients keep it open.',
  },
} satisfies Partial<Record<Variable, SettingReference>>;
