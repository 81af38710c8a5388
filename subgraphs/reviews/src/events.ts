import { eventChannel } from '#lib/db-events.js';

/** A review was published: which one, and of which product (to filter on without loading it). */
export type ReviewAdded = { id: number; upc: string };

/** Published by createReview when its transaction commits; heard by Subscription.reviewAdded on every replica. */
export const reviewAdded = eventChannel<ReviewAdded>('junction_reviews_review_added', (payload) => {
  const { id, upc } = (payload ?? {}) as Partial<ReviewAdded>;
  return typeof id === 'number' && typeof upc === 'string' ? { id, upc } : undefined;
});
