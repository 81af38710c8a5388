import { parseIntId } from '#lib/subgraph/loaders.js';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  review(_parent, { id }, { loaders }) {
    const reviewId = parseIntId(id);
    return reviewId === null ? null : loaders.reviewById.load(reviewId);
  },
};
