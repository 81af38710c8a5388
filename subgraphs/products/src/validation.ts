import { checkInt, checkPattern, checkText } from '#lib/subgraph/validation.js';

/** The rules for a product's fields, shared by createProduct and updateProduct. */
export const checkProduct = {
  upc: (value: string) => checkPattern(value.trim(), 'upc', /^\d{8,14}$/, '8 to 14 digits'),
  name: (value: string) => checkText(value, 'name', { max: 200 }),
  description: (value: string) => checkText(value, 'description', { min: 0, max: 5000 }),
  price: (value: number) => checkInt(value, 'price', { min: 0, max: 100_000_000 }),
  weight: (value: number) => checkInt(value, 'weight', { min: 0, max: 1_000_000 }),
};
