import { asc, desc, gt } from 'drizzle-orm';
import { checkFirst } from '#lib/subgraph/validation.js';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { products } from '../db/schema.js';

export const Query: QueryResolvers = {
  async topProducts(_parent, { first }, { db }) {
    // Awaited here: a drizzle query runs again each time its `then` is called,
    // and Apollo's instrumentation may call it more than once.
    return await db
      .select()
      .from(products)
      .orderBy(desc(products.createdAt), asc(products.upc))
      .limit(checkFirst(first, 5));
  },
  product(_parent, { upc }, { loaders }) {
    return loaders.productByUpc.load(upc);
  },
  async products(_parent, { first, after }, { db }) {
    const pageSize = checkFirst(first, 20);
    const afterUpc = after ? decodeCursor(after) : undefined;
    // One row more than asked says whether another page follows.
    const rows = await db
      .select()
      .from(products)
      .where(afterUpc === undefined ? undefined : gt(products.upc, afterUpc))
      .orderBy(asc(products.upc))
      .limit(pageSize + 1);
    const page = rows.slice(0, pageSize);
    const edges = page.map((node) => ({ cursor: encodeCursor(node.upc), node }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > pageSize, endCursor: edges.at(-1)?.cursor ?? null },
    };
  },
};
