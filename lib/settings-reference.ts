import { GATEWAY_SETTINGS } from './settings-reference-gateway.js';
import type { SettingReference, Variable } from './settings-groups.js';

export { GROUPS, type SettingGroup, type SettingReference } from './settings-groups.js';

/**
 * What each environment variable of env-schema.ts means, for people: the
 * source of docs/SETTINGS.md (`npm run docs:settings`, checked in CI). The
 * type requires an entry for every variable the schema reads and refuses
 * one for a variable it does not, so the reference cannot fall behind. The
 * gateway's own variables are in settings-reference-gateway.ts.
 */

/** The variables every process reads, and the subgraphs' and scripts'. */
const PROCESS_SETTINGS = {
  NODE_ENV: {
    group: 'Every process',
    usedBy: 'all',
    meaning: '`development`, `production` or `test`. `production` hides error details, applies the security defaults and requires `GATEWAY_SECRET`.',
  },
  PORT: { group: 'Every process', usedBy: 'all', default: '`4000` gateway, `4001`–`4004` subgraphs', meaning: 'The port to listen on (`npm start`: the gateway’s).' },
  HOST: { group: 'Every process', usedBy: 'all', default: 'all interfaces', meaning: 'The address to bind.' },
  GATEWAY_SECRET: {
    group: 'Every process',
    usedBy: 'gateway, subgraphs',
    default: 'a development secret; required in production',
    meaning: 'Signs the identity the gateway forwards (header `x-junction-gateway`); subgraphs refuse requests without it. At least 32 characters.',
  },
  SHUTDOWN_GRACE_MS: {
    group: 'Every process',
    usedBy: 'all',
    meaning: 'On SIGTERM or SIGINT, how long requests in flight get to finish before their connections are cut.',
  },
  SHUTDOWN_DELAY_MS: {
    group: 'Every process',
    usedBy: 'all',
    meaning: 'On SIGTERM or SIGINT, how long a process keeps serving, `/ready` already answering 503, before it stops accepting connections.',
  },

  LOG_LEVEL: {
    group: 'Logs, metrics and traces',
    usedBy: 'all',
    default: '`debug` in development, `info` in production, `silent` in tests',
    meaning: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.',
  },
  LOG_FORMAT: {
    group: 'Logs, metrics and traces',
    usedBy: 'all',
    default: '`line` in development at a terminal, else `json`',
    meaning: '`json` (one object per line), `line` (one short line per event) or `pretty` (pino-pretty, a line per field).',
  },
  LOG_REQUESTS: { group: 'Logs, metrics and traces', usedBy: 'gateway', meaning: 'One `request completed` line per operation answered.' },
  METRICS: { group: 'Logs, metrics and traces', usedBy: 'all', meaning: '`false` leaves out `GET /metrics` and counts nothing.' },
  OTEL_SDK_DISABLED: { group: 'Logs, metrics and traces', usedBy: 'all', meaning: '`true` keeps tracing off whatever else is set.' },
  OTEL_TRACES_EXPORTER: {
    group: 'Logs, metrics and traces',
    usedBy: 'all',
    default: 'none: tracing off',
    meaning: '`otlp`, `console`, or both comma-separated; `none` keeps tracing off.',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    group: 'Logs, metrics and traces',
    usedBy: 'all',
    meaning: 'Turns tracing on: the OTLP/HTTP collector, e.g. `http://collector:4318` (`/v1/traces` is added).',
  },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: { group: 'Logs, metrics and traces', usedBy: 'all', meaning: 'The same, as the full URL for traces.' },
  OTEL_SERVICE_NAME: { group: 'Logs, metrics and traces', usedBy: 'all', default: '`junction-<service>`', meaning: 'The traces’ `service.name`.' },
  OTEL_TRACES_SAMPLER: {
    group: 'Logs, metrics and traces',
    usedBy: 'all',
    meaning: '`always_on`, `always_off`, `traceidratio`, or `parentbased_` and one of these.',
  },
  OTEL_TRACES_SAMPLER_ARG: { group: 'Logs, metrics and traces', usedBy: 'all', meaning: 'The ratio of traces kept, 0 to 1, for the `traceidratio` samplers.' },

  DATABASE_URL: {
    group: 'Database',
    usedBy: 'subgraphs, gateway, scripts',
    default: 'none: the embedded database',
    meaning: 'A `postgres://` URL of a Postgres server.',
  },
  JUNCTION_DATA_DIR: { group: 'Database', usedBy: 'subgraphs, gateway, scripts', meaning: 'Where the embedded database persists (`<dir>/pglite`), with the lock naming the process that holds it (`<dir>/pglite.lock`) and the socket it serves it on (`<dir>/pglite/.s.PGSQL.5432`).' },
  DATABASE_POOL_MAX: { group: 'Database', usedBy: 'subgraphs, gateway', meaning: 'The most connections to `DATABASE_URL` per process.' },
  DATABASE_POOL_TIMEOUT_MS: { group: 'Database', usedBy: 'subgraphs, gateway', meaning: 'The longest a query waits for a free connection before failing.' },
  DATABASE_STATEMENT_TIMEOUT_MS: {
    group: 'Database',
    usedBy: 'subgraphs, gateway',
    meaning: 'Postgres `statement_timeout` of every connection (migrations and seeding lift it).',
  },

  ACCOUNTS_URL: {
    group: 'Subgraphs and composition',
    usedBy: 'compose, start, reviews',
    meaning: 'The accounts subgraph’s URL: its routing URL, and where reviews asks about users.',
  },
  PRODUCTS_URL: { group: 'Subgraphs and composition', usedBy: 'compose, start, reviews, inventory', meaning: 'The products subgraph’s URL.' },
  SUPERGRAPH_POLL_INTERVAL_MS: {
    group: 'Subgraphs and composition',
    usedBy: 'gateway',
    meaning: 'How often a `--supergraph URL` is polled for a new supergraph, unless `--poll-interval` says.',
  },
} satisfies Partial<Record<Variable, SettingReference>>;

/** Every variable, each once: a missing or unknown one does not type-check. */
export const SETTINGS: { readonly [Name in Variable]: SettingReference } = { ...PROCESS_SETTINGS, ...GATEWAY_SETTINGS };
