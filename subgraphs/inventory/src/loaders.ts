import DataLoader from 'dataloader';
import { inArray } from 'drizzle-orm';
import type { Database } from '#lib/db.js';
import { oneByKey, traced } from '#lib/subgraph/loaders.js';
import { stock, type StockRow } from './db/schema.js';

export type Loaders = ReturnType<typeof createLoaders>;

/** Called once per request: caches live as long as the request. */
export function createLoaders(db: Database) {
  return {
    stockByUpc: new DataLoader<string, StockRow | null>(
      traced('stockByUpc', async (upcs) => {
        const rows = await db.select().from(stock).where(inArray(stock.upc, [...upcs]));
        return oneByKey(upcs, rows, (row) => row.upc);
      }),
    ),
  };
}
