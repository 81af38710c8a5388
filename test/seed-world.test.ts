import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { DEFAULT_SEED, DEFAULT_WORLD_SIZE, generateWorld, type World } from '../scripts/seed/world.js';
import { EMAIL_DOMAINS } from '../scripts/seed/words/people.js';
import { REVIEW_SENTENCES, type Sentiment } from '../scripts/seed/words/reviews.js';

const world = generateWorld();

const OPENED_FROM = Date.parse('2023-01-01T00:00:00.000Z');
const OPENED_UNTIL = Date.parse('2026-01-01T00:00:00.000Z');
const REVIEWED_UNTIL = Date.parse('2026-06-30T00:00:00.000Z');

/** UPC-A check digit, written independently of the generator's. */
function validUpc(upc: string): boolean {
  if (!/^\d{12}$/.test(upc)) return false;
  const digits = [...upc].map(Number);
  const sum = digits.slice(0, 11).reduce((total, digit, i) => total + digit * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === digits[11];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function countBy<T>(items: readonly T[], key: (item: T) => string | number): Map<string | number, number> {
  const counts = new Map<string | number, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** Sentences of generated prose: each ends with a period and the next starts with a capital or digit. */
function sentences(text: string): string[] {
  return text.split(/(?<=\.) (?=[A-Z0-9])/);
}

/** A review sentence template as a pattern: each placeholder stands for some words. */
function templatePattern(template: string): RegExp {
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '.+');
  return new RegExp(`^${escaped}$`, 'i');
}

const PATTERNS = Object.fromEntries(
  Object.entries(REVIEW_SENTENCES).map(([sentiment, templates]) => [sentiment, templates.map(templatePattern)]),
) as Record<Sentiment, RegExp[]>;

function sentimentsOf(sentence: string): Sentiment[] {
  return (Object.keys(PATTERNS) as Sentiment[]).filter((sentiment) =>
    PATTERNS[sentiment].some((pattern) => pattern.test(sentence)),
  );
}

describe('the seed world', () => {
  it('is the same on every call and changes with the seed', () => {
    expect(generateWorld()).toEqual(world);
    expect(generateWorld(DEFAULT_WORLD_SIZE, DEFAULT_SEED)).toEqual(world);
    const other = generateWorld({}, DEFAULT_SEED + 1);
    expect(other.users.map((user) => user.name)).not.toEqual(world.users.map((user) => user.name));
    expect(other.products.map((product) => product.upc)).not.toEqual(world.products.map((product) => product.upc));
    expect(other.reviews.map((review) => review.body)).not.toEqual(world.reviews.map((review) => review.body));
  });

  it('has not changed by accident', () => {
    expect(world.users[0]).toEqual({
      id: 1,
      name: 'Omar Thompson',
      username: 'omart65',
      email: 'thompson.omar@example.com',
      createdAt: new Date('2023-01-07T02:01:39.438Z'),
    });
    expect(world.products[0]).toMatchObject({
      upc: '808624066477',
      name: 'Revised Science Fiction Anthology',
      price: 1399,
      weight: 411,
      createdAt: new Date('2023-01-01T04:27:16.965Z'),
    });
    expect(world.stock[0]).toEqual({ upc: '808624066477', quantity: 55 });
    expect(world.reviews[0]).toMatchObject({
      id: 1,
      authorId: 4,
      rating: 3,
      productUpc: '079294325298',
      createdAt: new Date('2023-02-19T09:40:49.825Z'),
    });
    // Any change to the generator or the word lists changes this; update it only on purpose.
    expect(createHash('sha256').update(JSON.stringify(world)).digest('hex')).toBe('b80e50f593669f98f8a292d1a5e37479c86a523157c3f4ebc5c3d2bd7173fed1');
  });

  it('has the default size, or the size asked for', () => {
    expect(DEFAULT_WORLD_SIZE).toEqual({ users: 200, products: 1000, reviews: 5000 });
    expect(world.users).toHaveLength(200);
    expect(world.products).toHaveLength(1000);
    expect(world.stock).toHaveLength(1000);
    expect(world.reviews).toHaveLength(5000);

    const small = generateWorld({ users: 7, products: 12, reviews: 40 }, 42);
    const lengths = [small.users, small.products, small.stock, small.reviews].map((rows) => rows.length);
    expect(lengths).toEqual([7, 12, 12, 40]);
    expect(generateWorld({ reviews: 0 }).reviews).toEqual([]);
    const empty = generateWorld({ users: 0, products: 0, reviews: 0 });
    expect(empty).toEqual({ users: [], products: [], stock: [], reviews: [] });
  });

  it('leaves users and products alone when only the number of reviews changes', () => {
    const fewer = generateWorld({ reviews: 10 });
    expect(fewer.users).toEqual(world.users);
    expect(fewer.products).toEqual(world.products);
    expect(fewer.stock).toEqual(world.stock);
  });

  it('rejects impossible sizes and seeds', () => {
    expect(() => generateWorld({ users: -1 })).toThrow(RangeError);
    expect(() => generateWorld({ products: 1.5 })).toThrow(RangeError);
    expect(() => generateWorld({ users: 0 })).toThrow(RangeError);
    expect(() => generateWorld({}, 0.5)).toThrow(RangeError);
  });

  it('generates the default size well within a second', () => {
    const started = performance.now();
    generateWorld();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('users', () => {
  it('are numbered from 1 in the order their accounts were opened, within 2023 to 2025', () => {
    expect(world.users.map((user) => user.id)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const opened = world.users.map((user) => user.createdAt.getTime());
    expect(opened).toEqual([...opened].sort((a, b) => a - b));
    for (const time of opened) {
      expect(time).toBeGreaterThanOrEqual(OPENED_FROM);
      expect(time).toBeLessThan(OPENED_UNTIL);
    }
  });

  it('have a first and last name, a unique valid username and a unique email on a reserved domain', () => {
    for (const user of world.users) {
      expect(user.name).toMatch(/^\S+ \S.*$/);
      expect(user.username).toMatch(/^[a-z0-9_]{3,30}$/);
      expect(user.email).toBe(user.email.toLowerCase());
      const [local, domain] = user.email.split('@');
      expect(local).toMatch(/^[a-z0-9._]+$/);
      expect(EMAIL_DOMAINS).toContain(domain);
    }
    expect(new Set(world.users.map((user) => user.username)).size).toBe(200);
    expect(new Set(world.users.map((user) => user.email)).size).toBe(200);
  });

  it('keep their usernames unique even when everyone shares a few names', () => {
    const crowd = generateWorld({ users: 3000, products: 1, reviews: 0 }, 7);
    expect(new Set(crowd.users.map((user) => user.username)).size).toBe(3000);
    expect(new Set(crowd.users.map((user) => user.email)).size).toBe(3000);
    for (const user of crowd.users) expect(user.username).toMatch(/^[a-z0-9_]{3,30}$/);
  });
});

describe('products', () => {
  it('have unique, valid 12-digit UPC-A codes and unique names', () => {
    for (const product of world.products) expect(validUpc(product.upc), product.upc).toBe(true);
    expect(new Set(world.products.map((product) => product.upc)).size).toBe(1000);
    expect(new Set(world.products.map((product) => product.name)).size).toBe(1000);
  });

  it('have descriptions of one to three sentences that name the product', () => {
    for (const product of world.products) {
      expect(sentences(product.description).length).toBeGreaterThanOrEqual(1);
      expect(sentences(product.description).length).toBeLessThanOrEqual(3);
      const lastWord = product.name.split(' ').at(-1)?.toLowerCase() ?? '';
      expect(product.description.toLowerCase(), product.name).toContain(lastWord);
    }
  });

  it('cost 1.99 to 2,499.99, mostly ending in .99 and mostly cheap', () => {
    const prices = world.products.map((product) => product.price);
    for (const price of prices) {
      expect(Number.isInteger(price)).toBe(true);
      expect(price).toBeGreaterThanOrEqual(199);
      expect(price).toBeLessThanOrEqual(249_999);
    }
    expect(prices.filter((price) => price % 100 === 99).length).toBeGreaterThan(700);
    const mean = prices.reduce((sum, price) => sum + price, 0) / prices.length;
    expect(median(prices)).toBeLessThan(mean);
    expect(median(prices)).toBeLessThan(10_000);
  });

  it('weigh 20 g to 25 kg, heavier for heavier kinds of things', () => {
    for (const product of world.products) {
      expect(Number.isInteger(product.weight)).toBe(true);
      expect(product.weight).toBeGreaterThanOrEqual(20);
      expect(product.weight).toBeLessThanOrEqual(25_000);
    }
    const weightsOf = (noun: string) =>
      world.products.filter((product) => product.name.endsWith(noun)).map((product) => product.weight);
    expect(Math.max(...weightsOf('Cable'))).toBeLessThan(Math.min(...weightsOf('Bookshelf')));
  });

  it('were added in order between 2023 and 2025', () => {
    const added = world.products.map((product) => product.createdAt.getTime());
    expect(added).toEqual([...added].sort((a, b) => a - b));
    for (const time of added) {
      expect(time).toBeGreaterThanOrEqual(OPENED_FROM);
      expect(time).toBeLessThan(OPENED_UNTIL);
    }
  });

  it('each have one stock row, about one in ten sold out', () => {
    expect(world.stock.map((row) => row.upc)).toEqual(world.products.map((product) => product.upc));
    for (const { quantity } of world.stock) {
      expect(Number.isInteger(quantity)).toBe(true);
      expect(quantity).toBeGreaterThanOrEqual(0);
      expect(quantity).toBeLessThanOrEqual(500);
    }
    const soldOut = world.stock.filter((row) => row.quantity === 0).length;
    expect(soldOut).toBeGreaterThan(60);
    expect(soldOut).toBeLessThan(140);
  });
});

describe('reviews', () => {
  const usersById = new Map(world.users.map((user) => [user.id, user]));
  const productsByUpc = new Map(world.products.map((product) => [product.upc, product]));

  it('are numbered from 1 in the order they were written', () => {
    expect(world.reviews.map((review) => review.id)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    const written = world.reviews.map((review) => review.createdAt.getTime());
    expect(written).toEqual([...written].sort((a, b) => a - b));
  });

  it('are by existing users about existing products, written after both existed and by mid-2026', () => {
    for (const review of world.reviews) {
      const author = usersById.get(review.authorId);
      const product = productsByUpc.get(review.productUpc);
      expect(author, `review ${review.id}`).toBeDefined();
      expect(product, `review ${review.id}`).toBeDefined();
      const written = review.createdAt.getTime();
      expect(written).toBeGreaterThan(author?.createdAt.getTime() ?? Infinity);
      expect(written).toBeGreaterThan(product?.createdAt.getTime() ?? Infinity);
      expect(written).toBeLessThanOrEqual(REVIEWED_UNTIL);
    }
  });

  it('hold together in a world of any size', () => {
    const small: World = generateWorld({ users: 3, products: 2, reviews: 30 }, 99);
    const userIds = new Set(small.users.map((user) => user.id));
    const upcs = new Set(small.products.map((product) => product.upc));
    for (const review of small.reviews) {
      expect(userIds.has(review.authorId)).toBe(true);
      expect(upcs.has(review.productUpc)).toBe(true);
    }
    expect(new Set(small.reviews.map((review) => review.authorId))).toEqual(userIds);
  });

  it('rate 1 to 5, mostly positively', () => {
    const ratings = countBy(world.reviews, (review) => review.rating);
    expect([...ratings.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    const expected: Record<number, number> = { 5: 0.4, 4: 0.3, 3: 0.15, 2: 0.08, 1: 0.07 };
    for (const [rating, share] of Object.entries(expected)) {
      expect((ratings.get(Number(rating)) ?? 0) / 5000).toBeCloseTo(share, 1);
    }
  });

  it('come from every one of the first 50 users and cover most products', () => {
    const authors = countBy(world.reviews, (review) => review.authorId);
    for (let id = 1; id <= 50; id++) expect(authors.get(id), `user ${id}`).toBeGreaterThan(0);
    const reviewed = countBy(world.reviews, (review) => review.productUpc);
    expect(reviewed.size).toBeGreaterThan(900);
  });

  it('have prolific authors and popular products', () => {
    const byAuthor = [...countBy(world.reviews, (review) => review.authorId).values()];
    const byProduct = [...countBy(world.reviews, (review) => review.productUpc).values()];
    expect(Math.max(...byAuthor)).toBeGreaterThan(5 * median(byAuthor));
    expect(Math.max(...byProduct)).toBeGreaterThan(5 * median(byProduct));
  });

  it('never review the same product twice from one author', () => {
    const pairs = new Set(world.reviews.map((review) => `${review.authorId}:${review.productUpc}`));
    expect(pairs.size).toBe(5000);
  });

  it('say one to five things, in 20 to 1200 characters, in the tone of the rating', () => {
    for (const review of world.reviews) {
      expect(review.body.length).toBeGreaterThanOrEqual(20);
      expect(review.body.length).toBeLessThanOrEqual(1200);
      const said = sentences(review.body);
      expect(said.length).toBeGreaterThanOrEqual(1);
      expect(said.length).toBeLessThanOrEqual(5);
      const tones = new Set(said.flatMap(sentimentsOf));
      if (review.rating === 5) expect([...tones], review.body).toEqual(['positive']);
      if (review.rating === 1) expect([...tones], review.body).toEqual(['negative']);
      if (review.rating === 4) expect(tones.has('negative'), review.body).toBe(false);
      if (review.rating === 2) expect(tones.has('positive'), review.body).toBe(false);
    }
  });

  it('do not read as copy-pasted', () => {
    expect(new Set(world.reviews.map((review) => review.body)).size).toBeGreaterThan(4500);
  });
});
