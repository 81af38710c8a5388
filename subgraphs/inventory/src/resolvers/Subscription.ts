import type { Context } from '../context.js';
import type {
  ResolversTypes,
  SubscriptionResolverObject,
  SubscriptionResolvers,
  SubscriptionStockChangedArgs,
} from '../__generated__/resolvers-types.js';
import { stockChanged as stockChangedEvents, type StockChanged } from '../events.js';

/** Events name the product; each is resolved with a context of its own, whose loader reads the stock as committed. */
const stockChanged: SubscriptionResolverObject<ResolversTypes['Product'], unknown, Context, SubscriptionStockChangedArgs> = {
  subscribe: (_parent, { upc }, { db }) => stockChangedEvents.subscribe(db, (event) => event.upc === upc),
  async resolve(event: StockChanged, _args, { loaders }) {
    const row = await loaders.stockByUpc.load(event.upc);
    return { upc: event.upc, quantity: row?.quantity ?? 0 };
  },
};

export const Subscription: SubscriptionResolvers = { stockChanged };
