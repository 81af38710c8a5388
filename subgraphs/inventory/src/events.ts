import { eventChannel } from '#lib/db-events.js';

/** Units of a product arrived: which product (its stock is read by the subscriber). */
export type StockChanged = { upc: string };

/** Published by restock when its write commits; heard by Subscription.stockChanged on every replica. */
export const stockChanged = eventChannel<StockChanged>('junction_inventory_stock_changed', (payload) => {
  const { upc } = (payload ?? {}) as Partial<StockChanged>;
  return typeof upc === 'string' ? { upc } : undefined;
});
