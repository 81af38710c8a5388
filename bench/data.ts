/**
 * The benchmark's fixed data, in the shape of the public federation gateway
 * benchmark: 6 users, 9 products, 11 reviews on products 1 to 4 with bodies
 * of 140 to 1,000 characters. Every review's author is user 1, and every
 * user's reviews are reviews 1 and 2, so the answer to the benchmark query
 * is the same on every run (about 87 KB).
 */
export type BenchUser = { id: string; name: string; username: string; email: string; createdAt: string };
export type BenchProduct = {
  upc: string;
  name: string;
  description: string;
  price: number;
  weight: number;
  createdAt: string;
  inStock: boolean;
  quantity: number;
};
export type BenchReview = { id: string; body: string; rating: number; authorId: string; upc: string; createdAt: string };

const CREATED = '2026-03-01T09:30:00.000Z';

export const users: BenchUser[] = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth'].map(
  (name, index) => {
    const username = name.toLowerCase().replace(/\W+/g, '_');
    return { id: String(index + 1), name, username, email: `${username}@example.com`, createdAt: CREATED };
  },
);

const PRODUCT_NAMES = ['Table', 'Couch', 'Chair', 'Lamp', 'Desk', 'Shelf', 'Rug', 'Mirror', 'Clock'];
export const products: BenchProduct[] = PRODUCT_NAMES.map((name, index) => ({
  upc: String(index + 1),
  name,
  description: `A ${name.toLowerCase()} for the benchmark.`,
  price: [899, 1299, 54, 2599, 7700, 4200, 150_000, 990, 3100][index]!,
  weight: [100, 1000, 50, 2400, 18_000, 9500, 4000, 800, 300][index]!,
  createdAt: CREATED,
  inStock: index % 3 !== 2,
  quantity: index % 3 === 2 ? 0 : 10 * (index + 1),
}));

const WORDS = 'the quick brown fox jumps over a lazy dog while seven wizards quietly judge boxing matches'.split(' ');

/** Deterministic prose of exactly `length` characters. */
function prose(length: number, seed: number): string {
  let text = '';
  for (let i = seed; text.length < length; i += 7) text += `${WORDS[i % WORDS.length]} `;
  return `${text.slice(0, length - 1)}.`;
}

const BODY_LENGTHS = [260, 660, 330, 210, 1000, 260, 720, 150, 470, 390, 180];
const REVIEWED_UPCS = ['1', '1', '1', '2', '2', '2', '3', '3', '3', '4', '4'];
export const reviews: BenchReview[] = BODY_LENGTHS.map((length, index) => ({
  id: String(index + 1),
  body: prose(length, index),
  rating: (index % 5) + 1,
  authorId: '1',
  upc: REVIEWED_UPCS[index]!,
  createdAt: CREATED,
}));

/** The inventory subgraph's rule, from its SDL: free from $1,000, otherwise $1 per started kilogram. */
export function shippingEstimate(price: number, weight: number): number {
  return price >= 100_000 ? 0 : 100 * Math.ceil(weight / 1000);
}

export const userById = new Map(users.map((user) => [user.id, user]));
export const productByUpc = new Map(products.map((product) => [product.upc, product]));
export const reviewById = new Map(reviews.map((review) => [review.id, review]));
export const reviewsOfUser = (_id: string): BenchReview[] => [reviewById.get('1')!, reviewById.get('2')!];
export const reviewsOfProduct = (upc: string): BenchReview[] => reviews.filter((review) => review.upc === upc);

export const BENCHMARK_QUERY = /* GraphQL */ `
fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query TestQuery {
  users { ...User reviews { ...Review product { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } } } }
  topProducts { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } }
}`;

/** The small query, `{ me { id } }`, for the gateway's own overhead. */
export const SMALL_QUERY = '{ me { id } }';

/**
 * What the benchmark query must return, built from the data above without
 * any GraphQL, so a gateway that drops, duplicates or misplaces a field fails.
 */
export function expectedBenchmarkData(): unknown {
  const user = (u: BenchUser) => ({ id: u.id, username: u.username, name: u.name });
  const review = (r: BenchReview) => ({ id: r.id, body: r.body });
  const product = (p: BenchProduct) => ({
    inStock: p.inStock,
    name: p.name,
    price: p.price,
    shippingEstimate: shippingEstimate(p.price, p.weight),
    upc: p.upc,
    weight: p.weight,
  });
  const author = (r: BenchReview) => {
    const u = userById.get(r.authorId)!;
    return {
      ...user(u),
      reviews: reviewsOfUser(u.id).map((inner) => ({ ...review(inner), product: product(productByUpc.get(inner.upc)!) })),
    };
  };
  const productWithReviews = (p: BenchProduct) => ({
    ...product(p),
    reviews: reviewsOfProduct(p.upc).map((r) => ({ ...review(r), author: author(r) })),
  });
  return {
    users: users.map((u) => ({
      ...user(u),
      reviews: reviewsOfUser(u.id).map((r) => ({ ...review(r), product: productWithReviews(productByUpc.get(r.upc)!) })),
    })),
    topProducts: products.slice(0, 5).map(productWithReviews),
  };
}
