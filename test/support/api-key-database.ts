import { readFileSync } from 'node:fs';
import { GraphQLError } from 'graphql';
import { expect } from 'vitest';
import { migrateGateway } from '#gateway/stages/identify/api-keys.js';
import { apiKeys } from '#gateway/stages/identify/db/schema.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/**
 * A database for partners' API keys: fresh, with the gateway's migrations
 * applied, emptied of keys between tests; and how a refused key looks.
 */

/** How many migrations gateway/drizzle/ holds: all of them apply to a fresh database. */
const GATEWAY_MIGRATIONS = (JSON.parse(readFileSync('gateway/drizzle/meta/_journal.json', 'utf8')) as { entries: unknown[] }).entries.length;

/**
 * A fresh test database with the gateway's migrations applied; every SQL
 * statement sent goes into `statements`. `shared`: child processes use it too
 * (createTestDatabase).
 */
export async function createApiKeyDatabase(statements: string[] = [], options: { shared?: boolean } = {}): Promise<TestDatabase> {
  const database = await createTestDatabase({ ...options, onQuery: (statement) => statements.push(statement) });
  expect(await migrateGateway(database.db)).toBe(GATEWAY_MIGRATIONS);
  return database;
}

/** Deletes every key, and forgets the statements sent so far. */
export async function clearApiKeys(database: TestDatabase, statements: string[] = []): Promise<void> {
  await database.db.delete(apiKeys);
  statements.length = 0;
}

export const invalid = { message: 'The API key is not valid.', code: 'UNAUTHENTICATED' };

export async function refusal(verifying: Promise<unknown>): Promise<{ message: string; code: unknown }> {
  const error = await verifying.then(
    () => {
      throw new Error('expected the key to be refused');
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(GraphQLError);
  return { message: (error as GraphQLError).message, code: (error as GraphQLError).extensions.code };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
