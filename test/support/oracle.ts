import type { SeedProduct, SeedReview, SeedUser, World } from '../../scripts/seed/world.js';
import { shippingEstimate } from '../../subgraphs/inventory/src/shipping.js';

/**
 * The benchmark query's answer worked out directly from the seed world, in
 * memory, with none of Junction's code paths: what the gateway must return.
 */
// The one text of the benchmark's query, shared with `npm run bench`.
export { BENCHMARK_QUERY } from '../../bench/data.js';

const newestFirst = (a: { createdAt: Date; id?: number; upc?: string }, b: typeof a) =>
  b.createdAt.getTime() - a.createdAt.getTime();

export function benchmarkAnswer(world: World) {
  const users = new Map(world.users.map((user) => [user.id, user]));
  const products = new Map(world.products.map((product) => [product.upc, product]));
  const quantity = new Map(world.stock.map((row) => [row.upc, row.quantity]));
  const latest = (reviews: SeedReview[]) =>
    [...reviews].sort((a, b) => newestFirst(a, b) || b.id - a.id).slice(0, 10);
  const byAuthor = (id: number) => latest(world.reviews.filter((review) => review.authorId === id));
  const byProduct = (upc: string) => latest(world.reviews.filter((review) => review.productUpc === upc));

  const product = (p: SeedProduct) => ({
    inStock: (quantity.get(p.upc) ?? 0) > 0,
    name: p.name,
    price: p.price,
    shippingEstimate: shippingEstimate(p.price, p.weight),
    upc: p.upc,
    weight: p.weight,
  });
  const review = (r: SeedReview) => ({ id: String(r.id), body: r.body });
  const user = (u: SeedUser) => ({ id: String(u.id), username: u.username, name: u.name });
  const productOf = (r: SeedReview) => products.get(r.productUpc)!;
  const authorOf = (r: SeedReview) => users.get(r.authorId)!;
  const authorWithReviews = (r: SeedReview) => ({
    ...user(authorOf(r)),
    reviews: byAuthor(r.authorId).map((own) => ({ ...review(own), product: product(productOf(own)) })),
  });

  const firstUsers = [...world.users].sort((a, b) => a.id - b.id).slice(0, 10);
  const topProducts = [...world.products]
    .sort((a, b) => newestFirst(a, b) || (a.upc < b.upc ? -1 : 1))
    .slice(0, 5);

  return {
    users: firstUsers.map((u) => ({
      ...user(u),
      reviews: byAuthor(u.id).map((r) => ({
        ...review(r),
        product: {
          ...product(productOf(r)),
          reviews: byProduct(r.productUpc).map((pr) => ({ ...review(pr), author: authorWithReviews(pr) })),
        },
      })),
    })),
    topProducts: topProducts.map((p) => ({
      ...product(p),
      reviews: byProduct(p.upc).map((r) => ({ ...review(r), author: authorWithReviews(r) })),
    })),
  };
}
