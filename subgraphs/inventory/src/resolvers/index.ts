import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Mutation } from './Mutation.js';
import { Product } from './Product.js';

export const resolvers: Resolvers = { Mutation, Product };
