import type { AuthorRow } from './db/schema.js';

/** A user as reviews resolvers see it: an id, and the username when we have it. */
export type UserRef = Pick<AuthorRow, 'id'> & Partial<Pick<AuthorRow, 'username'>>;

/** A product as reviews resolvers see it: just its key. */
export type ProductRef = { upc: string };
