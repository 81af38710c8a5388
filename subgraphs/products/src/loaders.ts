import DataLoader from 'dataloader';
import { inArray } from 'drizzle-orm';
import type { Database } from '#lib/db.js';
import { oneByKey, traced } from '#lib/subgraph/loaders.js';
import { products, type ProductRow } from './db/schema.js';

export type Loaders = ReturnType<typeof createLoaders>;

/** Called once per request: caches live as long as the request. */
export function createLoaders(db: Database) {
  return {
    productByUpc: new DataLoader<string, ProductRow | null>(
      traced('productByUpc', async (upcs) => {
        const rows = await db.select().from(products).where(inArray(products.upc, [...upcs]));
        return oneByKey(upcs, rows, (row) => row.upc);
      }),
    ),
  };
}
