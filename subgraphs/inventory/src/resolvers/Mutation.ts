import { sql } from 'drizzle-orm';
import { badUserInput, NUMERIC_VALUE_OUT_OF_RANGE, notFound, sqlError } from '#lib/errors.js';
import { checkInt } from '#lib/subgraph/validation.js';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { stock } from '../db/schema.js';
import { stockChanged } from '../events.js';

export const Mutation: MutationResolvers = {
  async restock(_parent, { upc, quantity }, { db, peers, requestId }) {
    const arrived = checkInt(quantity, 'quantity', { min: 1, max: 1_000_000 });
    // The catalogue belongs to the products subgraph: ask it before stocking anything.
    const product = await peers.products.fetch({ __typename: 'Product', upc }, 'upc', { requestId });
    if (!product) throw notFound(`No product has UPC ${upc}.`);
    try {
      const row = await db.transaction(async (tx) => {
        const [upserted] = await tx
          .insert(stock)
          .values({ upc, quantity: arrived })
          .onConflictDoUpdate({
            target: stock.upc,
            set: { quantity: sql`${stock.quantity} + ${arrived}`, updatedAt: sql`now()` },
          })
          .returning();
        if (!upserted) throw new Error('upsert returned no row');
        // Sent on commit, to every replica's stockChanged subscribers.
        await stockChanged.publish(tx, { upc });
        return upserted;
      });
      return { upc: row.upc, quantity: row.quantity };
    } catch (error) {
      if (sqlError(error)?.code === NUMERIC_VALUE_OUT_OF_RANGE) {
        throw badUserInput('That many units would overflow the stock count.', 'quantity');
      }
      throw error;
    }
  },
};
