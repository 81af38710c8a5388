import { checkFirst } from '#lib/subgraph/validation.js';
import type { ProductResolvers } from '../__generated__/resolvers-types.js';

export const Product: ProductResolvers = {
  __resolveReference: (reference) => ({ upc: reference.upc }),
  reviews(product, { first }, { loaders }) {
    return loaders.reviewsByProduct.load({ key: product.upc, first: checkFirst(first, 10) });
  },
};
