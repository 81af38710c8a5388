import DataLoader from 'dataloader';
import { asc, getTableColumns, inArray, lte, sql } from 'drizzle-orm';
import type { Database } from '#lib/db.js';
import { oneByKey, traced } from '#lib/subgraph/loaders.js';
import { authors, reviews, type AuthorRow, type ReviewRow } from './db/schema.js';

export type Loaders = ReturnType<typeof createLoaders>;

/** A request for the newest `first` reviews of one author or product. */
type Latest<K> = { key: K; first: number };

/** Called once per request: caches live as long as the request. */
export function createLoaders(db: Database) {
  return {
    reviewById: new DataLoader<number, ReviewRow | null>(
      traced('reviewById', async (ids) => {
        const rows = await db.select().from(reviews).where(inArray(reviews.id, [...ids]));
        return oneByKey(ids, rows, (row) => row.id);
      }),
    ),
    reviewsByAuthor: new DataLoader<Latest<number>, ReviewRow[], string>(
      traced('reviewsByAuthor', (requests) => latestReviews(db, 'authorId', requests)),
      { cacheKeyFn: ({ key, first }) => `${key}:${first}` },
    ),
    reviewsByProduct: new DataLoader<Latest<string>, ReviewRow[], string>(
      traced('reviewsByProduct', (requests) => latestReviews(db, 'productUpc', requests)),
      { cacheKeyFn: ({ key, first }) => `${key}:${first}` },
    ),
    authorById: new DataLoader<number, AuthorRow | null>(
      traced('authorById', async (ids) => {
        const rows = await db.select().from(authors).where(inArray(authors.id, [...ids]));
        return oneByKey(ids, rows, (row) => row.id);
      }),
    ),
  };
}

/**
 * The newest reviews of many authors (or products) at once: one statement per
 * distinct `first`, each ranking reviews per key with a window function and
 * keeping the top `first`, newest first.
 */
async function latestReviews<K extends number | string>(
  db: Database,
  by: 'authorId' | 'productUpc',
  requests: readonly Latest<K>[],
): Promise<ReviewRow[][]> {
  const column = reviews[by];
  const keysByFirst = new Map<number, K[]>();
  for (const { key, first } of requests) keysByFirst.set(first, [...(keysByFirst.get(first) ?? []), key]);

  const found = new Map<string, ReviewRow[]>();
  await Promise.all(
    [...keysByFirst].map(async ([first, keys]) => {
      const ranked = db
        .select({
          ...getTableColumns(reviews),
          rank: sql<number>`row_number() over (partition by ${column} order by ${reviews.createdAt} desc, ${reviews.id} desc)`.as('rank'),
        })
        .from(reviews)
        .where(inArray(column, keys))
        .as('ranked');
      const rows = await db.select().from(ranked).where(lte(ranked.rank, first)).orderBy(asc(ranked.rank));
      for (const row of rows) {
        const slot = `${row[by]}:${first}`;
        const list = found.get(slot);
        if (list) list.push(row);
        else found.set(slot, [row]);
      }
    }),
  );
  return requests.map(({ key, first }) => found.get(`${key}:${first}`) ?? []);
}
