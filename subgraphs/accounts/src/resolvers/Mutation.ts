import { badUserInput, sqlError, UNIQUE_VIOLATION } from '#lib/errors.js';
import { checkPattern, checkText } from '#lib/subgraph/validation.js';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { users } from '../db/schema.js';

const USERNAME = /^[a-z0-9_]{3,30}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const Mutation: MutationResolvers = {
  async createUser(_parent, { input }, { db }) {
    const values = {
      name: checkText(input.name, 'name', { max: 100 }),
      username: checkPattern(
        input.username.trim().toLowerCase(),
        'username',
        USERNAME,
        '3 to 30 lowercase letters, digits or underscores',
      ),
      email: checkPattern(
        checkText(input.email, 'email', { max: 254 }).toLowerCase(),
        'email',
        EMAIL,
        'an email address',
      ),
    };
    try {
      const [user] = await db.insert(users).values(values).returning();
      if (!user) throw new Error('insert returned no row');
      return user;
    } catch (error) {
      // The unique constraints decide, so two sign-ups racing for one email cannot both win.
      const failure = sqlError(error);
      if (failure?.code === UNIQUE_VIOLATION) {
        if (failure.constraint === 'users_email_key') {
          throw badUserInput('An account with this email already exists.', 'email');
        }
        if (failure.constraint === 'users_username_key') {
          throw badUserInput(`The username "${values.username}" is taken.`, 'username');
        }
      }
      throw error;
    }
  },
};
