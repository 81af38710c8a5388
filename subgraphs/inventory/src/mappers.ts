import type { StockRow } from './db/schema.js';

/**
 * A product as inventory resolvers see it: the stock row (if any) merged with
 * the reference the gateway sent, which carries `price` and `weight` when
 * `shippingEstimate` is asked for.
 */
export type StockedProduct = Pick<StockRow, 'upc' | 'quantity'> & {
  price?: number | null;
  weight?: number | null;
};
