import DataLoader from 'dataloader';
import { inArray } from 'drizzle-orm';
import type { Database } from '#lib/db.js';
import { oneByKey, traced } from '#lib/subgraph/loaders.js';
import { users, type UserRow } from './db/schema.js';

export type Loaders = ReturnType<typeof createLoaders>;

/** Called once per request: caches live as long as the request. */
export function createLoaders(db: Database) {
  return {
    userById: new DataLoader<number, UserRow | null>(
      traced('userById', async (ids) => {
        const rows = await db.select().from(users).where(inArray(users.id, [...ids]));
        return oneByKey(ids, rows, (row) => row.id);
      }),
    ),
  };
}
