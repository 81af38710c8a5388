import { eq } from 'drizzle-orm';
import { badUserInput, notFound, sqlError, UNIQUE_VIOLATION } from '#lib/errors.js';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { products } from '../db/schema.js';
import { checkProduct } from '../validation.js';

export const Mutation: MutationResolvers = {
  async createProduct(_parent, { input }, { db }) {
    const values = {
      upc: checkProduct.upc(input.upc),
      name: checkProduct.name(input.name),
      description: checkProduct.description(input.description ?? ''),
      price: checkProduct.price(input.price),
      weight: checkProduct.weight(input.weight),
    };
    try {
      const [product] = await db.insert(products).values(values).returning();
      if (!product) throw new Error('insert returned no row');
      return product;
    } catch (error) {
      if (sqlError(error)?.code === UNIQUE_VIOLATION) {
        throw badUserInput(`A product with UPC ${values.upc} already exists.`, 'upc');
      }
      throw error;
    }
  },

  async updateProduct(_parent, { upc, input }, { db, loaders }) {
    // Only the fields the caller sent change; an explicit null is refused, not stored.
    const changes: Partial<typeof products.$inferInsert> = {};
    for (const field of ['name', 'description', 'price', 'weight'] as const) {
      if (input[field] === null) throw badUserInput(`${field} cannot be null; leave it out to keep it.`, field);
    }
    if (input.name != null) changes.name = checkProduct.name(input.name);
    if (input.description != null) changes.description = checkProduct.description(input.description);
    if (input.price != null) changes.price = checkProduct.price(input.price);
    if (input.weight != null) changes.weight = checkProduct.weight(input.weight);

    const [product] =
      Object.keys(changes).length > 0
        ? await db.update(products).set(changes).where(eq(products.upc, upc)).returning()
        : [await loaders.productByUpc.load(upc)];
    if (!product) throw notFound(`No product has UPC ${upc}.`);
    return product;
  },
};
