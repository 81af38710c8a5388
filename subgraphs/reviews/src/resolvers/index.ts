import { DateTime } from '#lib/subgraph/scalars.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Mutation } from './Mutation.js';
import { Product } from './Product.js';
import { Query } from './Query.js';
import { Review } from './Review.js';
import { Subscription } from './Subscription.js';
import { User } from './User.js';

export const resolvers: Resolvers = { DateTime, Query, Mutation, Review, User, Product, Subscription };
