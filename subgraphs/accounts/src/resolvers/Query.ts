import { asc } from 'drizzle-orm';
import { parseIntId } from '#lib/subgraph/loaders.js';
import { checkFirst } from '#lib/subgraph/validation.js';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { users } from '../db/schema.js';

export const Query: QueryResolvers = {
  async me(_parent, _args, { viewer, loaders }) {
    const signedIn = await viewer();
    return signedIn ? loaders.userById.load(signedIn.userId) : null;
  },
  user(_parent, { id }, { loaders }) {
    const userId = parseIntId(id);
    return userId === null ? null : loaders.userById.load(userId);
  },
  async users(_parent, { first }, { db }) {
    return await db.select().from(users).orderBy(asc(users.id)).limit(checkFirst(first, 10));
  },
};
