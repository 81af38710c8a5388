import { existsSync } from 'node:fs';
import { databaseOptions, openDatabase, type Database, type DatabaseHandle } from '#lib/db.js';
import type { Env } from '#lib/env.js';
import { databaseUnavailable, unauthenticated } from '#lib/errors.js';
import type { Logger } from '#lib/logger.js';
import { migrateGateway } from '#lib/migrate.js';
import { createApiKeyVerifier, isWellFormedApiKey, type ApiKeyVerifier } from './api-keys.js';

/**
 * Where `junction gateway` keeps API keys, opened only when they are used.
 * API_KEYS=false: nowhere, and the gateway accepts no keys. DATABASE_URL: the
 * server, opened at start (a pool costs little). Otherwise the embedded
 * database under JUNCTION_DATA_DIR, which costs hundreds of MB once loaded:
 * it is opened, and migrated, on the first request with a well-formed key,
 * once; while no key command ever made it, keys are refused without loading it.
 */
export type ApiKeyDatabase = {
  /** The server's database, opened at start: the gateway verifies keys against it and reports its pool. */
  db?: Database;
  /** For the embedded database: verifies keys, opening the database on first use. */
  verifier?: ApiKeyVerifier;
  close(): Promise<void>;
};

export async function openApiKeyDatabase(env: Env, options: { migrate: boolean; logger: Logger }): Promise<ApiKeyDatabase> {
  if (!env.API_KEYS) return { close: async () => {} };
  const where = databaseOptions(env);
  if (where.url) {
    const handle = await openDatabase(where);
    if (options.migrate) await migrateGateway(handle.db);
    return { db: handle.db, close: () => handle.close() };
  }

  let handle: DatabaseHandle | undefined;
  let opening: Promise<ApiKeyVerifier> | undefined;
  const open = async (): Promise<ApiKeyVerifier> => {
    // Through npm start's (or another holder's) socket when one serves it; else opened here, and served to `junction api-key`.
    const opened = await openDatabase({ ...where, embedded: 'serve' });
    try {
      await migrateGateway(opened.db);
    } catch (error) {
      await opened.close();
      throw error;
    }
    handle = opened;
    return createApiKeyVerifier(opened.db, { cacheMs: env.API_KEY_CACHE_MS });
  };
  const verifier: ApiKeyVerifier = async (key) => {
    // Refused without loading anything: a malformed key, or keys where no key was ever made.
    if (!isWellFormedApiKey(key) || (!opening && !existsSync(where.dataDir!))) throw unauthenticated('The API key is not valid.');
    // Concurrent first requests share one opening; a failed one is tried again by the next request.
    opening ??= open().catch((error: unknown) => {
      opening = undefined;
      options.logger.error({ err: error }, 'the embedded database for API keys did not open');
      throw databaseUnavailable();
    });
    return (await opening)(key);
  };
  return {
    verifier,
    close: async () => {
      await opening?.catch(() => {});
      await handle?.close();
    },
  };
}
