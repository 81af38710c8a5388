import { parseIntId } from '#lib/subgraph/loaders.js';
import type { UserResolvers } from '../__generated__/resolvers-types.js';

export const User: UserResolvers = {
  __resolveReference(reference, { loaders }) {
    const userId = parseIntId(reference.id);
    return userId === null ? null : loaders.userById.load(userId);
  },
};
