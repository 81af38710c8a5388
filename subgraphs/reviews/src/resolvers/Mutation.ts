import { notFound, unauthenticated } from '#lib/errors.js';
import { checkInt, checkText } from '#lib/subgraph/validation.js';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { authors, reviews } from '../db/schema.js';
import { reviewAdded } from '../events.js';

export const Mutation: MutationResolvers = {
  async createReview(_parent, { input }, { db, viewer, loaders, peers, requestId }) {
    const signedIn = await viewer();
    if (!signedIn) throw unauthenticated('Sign in to write a review.');
    const values = {
      productUpc: input.upc,
      authorId: signedIn.userId,
      rating: checkInt(input.rating, 'rating', { min: 1, max: 5 }),
      body: checkText(input.body, 'body', { max: 5000 }),
    };

    // Products and users belong to other subgraphs: ask them, and write only if both exist.
    const [product, known] = await Promise.all([
      peers.products.fetch({ __typename: 'Product', upc: input.upc }, 'upc', { requestId }),
      loaders.authorById.load(signedIn.userId),
    ]);
    if (!product) throw notFound(`No product has UPC ${input.upc}.`);
    const author =
      known ??
      (await peers.accounts.fetch<{ username: string }>(
        { __typename: 'User', id: String(signedIn.userId) },
        'username',
        { requestId },
      ));
    if (!author) throw unauthenticated('Your account no longer exists.');

    const review = await db.transaction(async (tx) => {
      await tx
        .insert(authors)
        .values({ id: signedIn.userId, username: author.username })
        .onConflictDoNothing();
      const [row] = await tx.insert(reviews).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      // Sent on commit, to every replica's subscribers; not at all if the transaction rolls back.
      await reviewAdded.publish(tx, { id: row.id, upc: row.productUpc });
      return row;
    });
    // The loader may have cached "no such author" above; it knows better now.
    loaders.authorById.clear(signedIn.userId).prime(signedIn.userId, { id: signedIn.userId, username: author.username });
    return review;
  },
};
