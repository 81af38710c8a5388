import { notFound } from '#lib/errors.js';
import type { Context } from '../context.js';
import type {
  ResolversTypes,
  SubscriptionResolverObject,
  SubscriptionResolvers,
  SubscriptionReviewAddedArgs,
} from '../__generated__/resolvers-types.js';
import { reviewAdded as reviewAddedEvents, type ReviewAdded } from '../events.js';

/** Events name the review; each is resolved with a context of its own, whose loaders read it as committed. */
const reviewAdded: SubscriptionResolverObject<ResolversTypes['Review'], unknown, Context, Partial<SubscriptionReviewAddedArgs>> = {
  subscribe: (_parent, { upc }, { db }) => reviewAddedEvents.subscribe(db, upc == null ? undefined : (event) => event.upc === upc),
  async resolve(event: ReviewAdded, _args, { loaders }) {
    const review = await loaders.reviewById.load(event.id);
    if (!review) throw notFound(`Review ${event.id} was removed before it could be sent.`);
    return review;
  },
};

export const Subscription: SubscriptionResolvers = { reviewAdded };
