import { parseIntId } from '#lib/subgraph/loaders.js';
import type { ReviewResolvers } from '../__generated__/resolvers-types.js';

export const Review: ReviewResolvers = {
  __resolveReference(reference, { loaders }) {
    const reviewId = parseIntId(reference.id);
    return reviewId === null ? null : loaders.reviewById.load(reviewId);
  },
  // With the username we keep, so the gateway need not ask accounts for it (@provides).
  async author(review, _args, { loaders }) {
    return (await loaders.authorById.load(review.authorId)) ?? { id: review.authorId };
  },
  product: (review) => ({ upc: review.productUpc }),
};
