import { z } from 'zod';

/**
 * Every environment variable Junction reads, parsed and validated once.
 * Processes call `loadEnv()` at boot and pass the typed result on; nothing
 * else reads `process.env`.
 */
const DEVELOPMENT_JWT_SECRET = 'junction-development-secret-not-for-production';

const port = z.coerce.number().int().min(0).max(65535);

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:/.test(value), 'must be an http(s) URL');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
    JUNCTION_DATA_DIR: z.string().min(1).default('.data'),
    PORT: port.optional(),
    HOST: z.string().optional(),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    ACCOUNTS_URL: httpUrl.default('http://localhost:4001/graphql'),
    PRODUCTS_URL: httpUrl.default('http://localhost:4002/graphql'),
});

type ParsedEnv = z.output<typeof schema>;

export type Env = Omit<ParsedEnv, 'JWT_SECRET' | 'LOG_LEVEL'> & {
  JWT_SECRET: string;
  LOG_LEVEL: NonNullable<ParsedEnv['LOG_LEVEL']>;
  production: boolean;
};

export type EnvResult = { ok: true; env: Env } | { ok: false; problems: string[] };

export function parseEnv(raw: Record<string, string | undefined>): EnvResult {
  // An empty variable means "unset", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  if (present.NODE_ENV === 'production' && present.JWT_SECRET === undefined) {
    problems.push('JWT_SECRET: is required in production');
  }
  if (!result.success || problems.length > 0) return { ok: false, problems };
  const env = result.data;
  return {
    ok: true,
    env: {
      ...env,
      JWT_SECRET: env.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET,
      LOG_LEVEL: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
      production: env.NODE_ENV === 'production',
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
