import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '#lib/errors.js';
import { migrateAll } from '#lib/migrate.js';
import { createSubgraph as products } from '../../subgraphs/products/src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/stack.js';

/**
 * The products subgraph on a database that lacks a column its db/schema.ts
 * has, as when a migration was never written or applied: in development the
 * client's error says what Postgres said and what to do, in production it
 * stays a bare INTERNAL_SERVER_ERROR. Neither carries the SQL.
 */
let database: TestDatabase;
const subgraphs = new Map<boolean, ReturnType<typeof products>>();

beforeAll(async () => {
  database = await createTestDatabase();
  await migrateAll(database.db);
  // What db/schema.ts has and the database does not: the column a missing migration would add.
  await database.db.execute(sql`alter table products.products drop column description`);
  for (const production of [true, false]) {
    subgraphs.set(production, products({ db: database.db, env: { ...testEnv(), production }, logger: pino({ level: 'silent' }) }));
  }
});
afterAll(() => database?.close());

async function execute(production: boolean) {
  const subgraph = subgraphs.get(production)!;
  const response = await subgraph.server.executeOperation(
    { query: '{ topProducts(first: 1) { upc } }' },
    { contextValue: subgraph.context({ requestId: 'test' }) },
  );
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return response.body.singleResult;
}

describe('a SQL statement that fails on a missing column', () => {
  it('tells the developer the cause and the fix, in development', async () => {
    const { errors } = await execute(false);
    expect(errors).toHaveLength(1);
    expect(errors![0]!.message).toBe(
      'Database statement failed: column "description" does not exist (a migration may be missing: npm run db:generate, then the dev loop applies it)',
    );
    expect(errors![0]!.extensions?.code).toBe(ErrorCode.INTERNAL_SERVER_ERROR);
    expect(errors![0]!.path).toEqual(['topProducts']);
  });

  it('stays masked in production', async () => {
    const { errors } = await execute(true);
    expect(errors).toEqual([{ message: 'Internal server error', locations: [{ line: 1, column: 3 }], path: ['topProducts'], extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }]);
  });
});
