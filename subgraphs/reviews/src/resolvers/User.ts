import { parseIntId } from '#lib/subgraph/loaders.js';
import { checkFirst } from '#lib/subgraph/validation.js';
import type { UserResolvers } from '../__generated__/resolvers-types.js';

export const User: UserResolvers = {
  __resolveReference(reference) {
    const id = parseIntId(reference.id);
    return id === null ? null : { id };
  },
  reviews(user, { first }, { loaders }) {
    return loaders.reviewsByAuthor.load({ key: user.id, first: checkFirst(first, 10) });
  },
};
