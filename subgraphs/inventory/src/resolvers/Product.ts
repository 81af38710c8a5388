import type { ProductResolvers } from '../__generated__/resolvers-types.js';
import { shippingEstimate } from '../shipping.js';

export const Product: ProductResolvers = {
  async __resolveReference(reference, { loaders }) {
    const row = await loaders.stockByUpc.load(reference.upc);
    // `price` and `weight` arrive in the reference when shippingEstimate is asked for.
    return {
      upc: reference.upc,
      quantity: row?.quantity ?? 0,
      price: 'price' in reference ? reference.price : null,
      weight: 'weight' in reference ? reference.weight : null,
    };
  },
  inStock: (product) => product.quantity > 0,
  shippingEstimate(product) {
    if (product.price == null || product.weight == null) return null;
    return shippingEstimate(product.price, product.weight);
  },
};
