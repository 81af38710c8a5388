import type { Contract } from '#tooling/contracts.js';
import { parseEnv, type Env } from '#lib/env.js';
import { createLogger } from '#lib/logger.js';
import { migrateAll } from '#lib/migrate.js';
import { readSupergraphConfig } from '#tooling/supergraph.js';
import { loadWorld } from '../../scripts/seed/load.js';
import { startStack, type Stack } from '../../scripts/stack.js';
import type { World } from '../../scripts/seed/world.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { createIdentityProvider, type IdentityProvider } from './identity-provider.js';
import { post, type GraphQLResult } from './graphql.js';

export function testEnv(overrides: Record<string, string> = {}): Env {
  const result = parseEnv({ NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', ...overrides });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.env;
}

export type TestStack = Stack & {
  database: TestDatabase;
  env: Env;
  /** Every SQL statement any subgraph sent, in order. */
  statements: string[];
  /** A GraphQL request to the gateway. */
  query<TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResult<TData>>;
  /** The identity provider the gateway trusts (its JWKS_FILE). */
  idp: IdentityProvider;
  /** The Authorization header of a signed-in user, granted `scopes`. */
  signIn(userId: number, scopes?: string[]): Promise<Record<string, string>>;
  close(): Promise<void>;
};

/**
 * The whole supergraph on free ports, on a fresh database (migrated, and
 * seeded with `world` when given): what a frontend talks to, over HTTP.
 */
export async function startTestStack(
  world?: World,
  envOverrides: Record<string, string> = {},
  /**
   * `contracts`: to serve beside the supergraph (e.g. contracts.yaml's), to the clients CONTRACT_CLIENTS maps to them.
   * `logs`: where every service's log lines go (JSON), instead of nowhere; set LOG_LEVEL in the env to see them.
   * `shared`: child processes (a second subgraph, gateway processes) use the database too (createTestDatabase's `shared`).
   */
  { contracts, logs, shared }: { contracts?: readonly Contract[]; logs?: NodeJS.WritableStream; shared?: boolean } = {},
): Promise<TestStack> {
  const statements: string[] = [];
  const database = await createTestDatabase({ onQuery: (sql) => statements.push(sql), ...(shared ? { shared } : {}) });
  const idp = await createIdentityProvider();
  const env = testEnv({ JWKS_FILE: idp.jwksFile, RATE_LIMIT: 'false', ...envOverrides });
  try {
    await migrateAll(database.db);
    if (world) await loadWorld(database.db, world);
    statements.length = 0;
    const config = await readSupergraphConfig('supergraph.yaml', {});
    const stack = await startStack({
      db: database.db,
      env,
      logger: logs ? createLogger({ ...env, LOG_FORMAT: 'json' }, 'test', logs) : createLogger(env, 'test'),
      config,
      ...(contracts ? { contracts } : {}),
      ports: 'ephemeral',
      gatewayPort: 0,
    });
    return {
      ...stack,
      database,
      env,
      statements,
      query: (query, variables, headers) => post(stack.gatewayUrl, query, variables, headers),
      idp,
      signIn: async (userId, scopes) => ({ authorization: `Bearer ${await idp.token(String(userId), { scopes })}` }),
      async close() {
        await stack.stop();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
