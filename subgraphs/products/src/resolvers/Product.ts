import type { ProductResolvers } from '../__generated__/resolvers-types.js';

export const Product: ProductResolvers = {
  __resolveReference(reference, { loaders }) {
    return loaders.productByUpc.load(reference.upc);
  },
};
