import { credentialsWithAnyOrigin } from './cors-origins.js';
import { schema, type ParsedEnv } from './env-schema.js';
import { gatewaySettings, type GatewaySettings } from './gateway-settings.js';

export type { GatewaySettings } from './gateway-settings.js';

/**
 * Every environment variable Junction reads (env-schema.ts), parsed and
 * validated once. Processes call `loadEnv()` at boot and pass the typed
 * result on; nothing else reads `process.env`.
 */
const DEVELOPMENT_GATEWAY_SECRET = 'junction-development-secret-not-for-production';

export type Env = Omit<ParsedEnv, 'GATEWAY_SECRET' | 'LOG_LEVEL' | 'INTROSPECTION' | 'GRAPHIQL'> & {
  GATEWAY_SECRET: string;
  /** Whether anyone may introspect; `undefined` means "callers with INTROSPECTION_SCOPE". */
  INTROSPECTION: boolean | undefined;
  GRAPHIQL: boolean;
  LOG_LEVEL: NonNullable<ParsedEnv['LOG_LEVEL']>;
  production: boolean;
  /** The gateway's settings grouped by the piece that takes them: each stage gets its own. */
  gateway: GatewaySettings;
};

/** Development shows why a request was refused (debug); production shows what it served; tests stay quiet. */
const DEFAULT_LOG_LEVEL = { development: 'debug', production: 'info', test: 'silent' } as const;

export type EnvResult = { ok: true; env: Env } | { ok: false; problems: string[] };

export function parseEnv(raw: Record<string, string | undefined>): EnvResult {
  // An empty variable means "unset", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  if (present.NODE_ENV === 'production' && present.GATEWAY_SECRET === undefined) {
    problems.push('GATEWAY_SECRET: is required in production');
  }
  // Checked on the raw values, so that it is listed beside any other problem.
  if (credentialsWithAnyOrigin(present)) {
    problems.push('CORS_CREDENTIALS: cannot be true with CORS_ORIGINS="*": browsers refuse credentials from any origin; list the origins instead');
  }
  if (!result.success || problems.length > 0) return { ok: false, problems };
  const env = result.data;
  const production = env.NODE_ENV === 'production';
  const introspection = env.INTROSPECTION ?? (production ? undefined : true);
  return {
    ok: true,
    env: {
      ...env,
      GATEWAY_SECRET: env.GATEWAY_SECRET ?? DEVELOPMENT_GATEWAY_SECRET,
      INTROSPECTION: introspection,
      GRAPHIQL: env.GRAPHIQL ?? !production,
      LOG_LEVEL: env.LOG_LEVEL ?? DEFAULT_LOG_LEVEL[env.NODE_ENV],
      production,
      gateway: gatewaySettings(env, introspection),
    },
  };
}

/** Parses `process.env`; on any problem lists them all and exits non-zero. */
export function loadEnv(raw: Record<string, string | undefined> = process.env): Env {
  const result = parseEnv(raw);
  if (!result.ok) {
    process.stderr.write(
      `Invalid environment:\n${result.problems.map((problem) => `  ${problem}`).join('\n')}\n`,
    );
    process.exit(1);
  }
  return result.env;
}
