import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Mutation } from './Mutation.js';
import { Product } from './Product.js';
import { Subscription } from './Subscription.js';

export const resolvers: Resolvers = { Mutation, Product, Subscription };
