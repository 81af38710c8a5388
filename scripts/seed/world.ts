import {
  CATEGORY_ADJECTIVES,
  DESCRIPTION_CLOSERS,
  DESCRIPTION_DETAILS,
  DESCRIPTION_OPENERS,
  STYLE_ADJECTIVES,
} from './words/descriptions.js';
import { EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES } from './words/people.js';
import { MATERIALS, PRODUCT_KINDS, type ProductKind } from './words/products.js';
import { PEOPLE, REVIEW_SENTENCES, TIME_SPANS, type Sentiment } from './words/reviews.js';
import { at, createRandom, popularity, sortedTimes, type Random } from './random.js';

/**
 * The seed world: users, products, stock and reviews that look like a real
 * store. Every value comes from a seeded PRNG and fixed dates, so the same
 * size and seed give the same world on any machine (no Math.random, no clock).
 * Users, products and reviews each get their ids in creation order.
 */
export type SeedUser = { id: number; name: string; username: string; email: string; createdAt: Date };
export type SeedProduct = { upc: string; name: string; description: string; price: number; weight: number; createdAt: Date };
export type SeedStock = { upc: string; quantity: number };
export type SeedReview = { id: number; productUpc: string; authorId: number; rating: number; body: string; createdAt: Date };
export type World = { users: SeedUser[]; products: SeedProduct[]; stock: SeedStock[]; reviews: SeedReview[] };
export type WorldSize = { users: number; products: number; reviews: number };

export const DEFAULT_WORLD_SIZE: WorldSize = Object.freeze({ users: 200, products: 1000, reviews: 5000 });
export const DEFAULT_SEED = 20_260_301;

// Accounts open and products arrive from 2023-01-01 to 2025-12-31 (UTC, end exclusive);
// reviews are written up to 2026-06-30T00:00:00.000Z.
const OPENED_FROM = Date.UTC(2023, 0, 1);
const OPENED_UNTIL = Date.UTC(2026, 0, 1);
const REVIEWED_UNTIL = Date.UTC(2026, 5, 30);

// The oldest accounts all write at least one review, so examples always find one.
const GUARANTEED_AUTHORS = 50;
// Share of the catalogue that is sure to be reviewed; the least popular rest may not be.
const REVIEWED_SHARE = 0.92;

/** "Søren O'Brien" → "soren", "obrien": what fits in a username or an email address. */
function asciiWord(name: string): string {
  const folded: Record<string, string> = { ø: 'o', ı: 'i', æ: 'ae', ß: 'ss', ł: 'l', đ: 'd' };
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[øıæßłđ]/g, (char) => folded[char] ?? '')
    .replace(/[^a-z0-9]/g, '');
}

/** `base`, or `base` plus digits (more of them the longer it takes), that `taken` does not hold yet. */
function unique(random: Random, taken: Set<string>, base: string, maxLength: number, compose = (s: string) => s) {
  let candidate = compose(base.slice(0, maxLength));
  for (let attempt = 0; taken.has(candidate); attempt++) {
    const digits = 2 + Math.floor(attempt / 20);
    candidate = compose(base.slice(0, maxLength - digits) + String(random.int(10 ** (digits - 1), 10 ** digits - 1)));
  }
  taken.add(candidate);
  return candidate;
}

function generateUsers(count: number, seed: number): SeedUser[] {
  const random = createRandom(seed, 'users');
  const usernames = new Set<string>();
  const emails = new Set<string>();
  return sortedTimes(random, count, OPENED_FROM, OPENED_UNTIL).map((opened, index) => {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const [f, l] = [asciiWord(first), asciiWord(last)];
    const [fi, li] = [f.slice(0, 1), l.slice(0, 1)];
    const year = String(random.int(60, 99));
    const handle = random.pick([`${f}_${l}`, `${f}${l}`, `${fi}${l}`, `${f}_${li}`, `${l}_${f}`, `${f}${li}`]);
    const local = random.pick([
      `${f}.${l}`, `${f}${l}`, `${fi}${l}`, `${f}_${l}`, `${f}.${li}`, `${l}.${f}`, `${f}${l}${year}`,
    ]);
    const domain = random.pick(EMAIL_DOMAINS);
    return {
      id: index + 1,
      name: `${first} ${last}`,
      // Some people add digits to a free handle anyway.
      username: unique(random, usernames, random.chance(0.15) ? handle + year : handle.padEnd(3, '0'), 30),
      email: unique(random, emails, local, 64, (part) => `${part}@${domain}`),
      createdAt: new Date(opened),
    };
  });
}

/** UPC-A: 11 digits and a check digit; odd positions (1st, 3rd…) weigh three. */
function upcCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[i]) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10;
}

type CatalogueEntry = { product: SeedProduct; kind: ProductKind };

function productName(random: Random, kind: ProductKind, material: string | undefined): string {
  const adjective = random.pick(
    kind.category === 'books'
      ? CATEGORY_ADJECTIVES.books
      : [...STYLE_ADJECTIVES, ...CATEGORY_ADJECTIVES[kind.category]],
  );
  if (material === undefined) return `${adjective} ${kind.noun}`;
  return random.weighted([
    [`${adjective} ${material} ${kind.noun}`, 45],
    [`${material} ${kind.noun}`, 30],
    [`${adjective} ${kind.noun}`, 25],
  ]);
}

/** How a sentence names the product: "pair of leather gloves", or without material "pair of gloves". */
function spoken(kind: ProductKind, material?: string): string {
  return [kind.unit, material?.toLowerCase(), kind.short].filter((word) => word !== undefined).join(' ');
}

function description(random: Random, kind: ProductKind, material: string | undefined): string {
  const item = spoken(kind, material);
  const sentences = [random.pick(DESCRIPTION_OPENERS[kind.category]).replace('{item}', item)];
  const more = random.weighted([[0, 20], [1, 45], [2, 35]]);
  if (more === 2 || (more === 1 && random.chance(0.5))) sentences.push(random.pick(DESCRIPTION_DETAILS[kind.category]));
  if (more === 2 || (more === 1 && sentences.length === 1)) sentences.push(random.pick(DESCRIPTION_CLOSERS));
  return sentences.join(' ');
}

/** Cents, log-spread over the kind's range and skewed cheap; most prices end in .99. */
function price(random: Random, [min, max]: readonly [number, number]): number {
  const cents = min * (max / min) ** (random.next() ** 2);
  const ending = random.weighted([[99, 85], [49, 8], [95, 3], [0, 4]]);
  return Math.min(249_999, Math.max(199, Math.floor(cents / 100) * 100 + ending));
}

function generateCatalogue(count: number, seed: number): CatalogueEntry[] {
  const random = createRandom(seed, 'products');
  const names = new Set<string>();
  const upcs = new Set<string>();
  return sortedTimes(random, count, OPENED_FROM, OPENED_UNTIL).map((added) => {
    let kind = at(PRODUCT_KINDS, 0);
    let material: string | undefined;
    let name = '';
    for (let attempt = 0; attempt < 50 && (name === '' || names.has(name)); attempt++) {
      kind = random.pick(PRODUCT_KINDS);
      material = kind.materials.length === 0 ? undefined : random.pick(MATERIALS[random.pick(kind.materials)]);
      name = productName(random, kind, material);
    }
    // A catalogue larger than the word lists allow gets numbered editions.
    for (let edition = 2; names.has(name); edition++) name = `${name.replace(/ No\. \d+$/, '')} No. ${edition}`;
    names.add(name);
    let upc = '';
    while (upc === '' || upcs.has(upc)) {
      const body = random.pick(['0', '6', '7', '8']) + String(random.int(0, 9_999_999_999)).padStart(10, '0');
      upc = body + String(upcCheckDigit(body));
    }
    upcs.add(upc);
    const [minGrams, maxGrams] = kind.grams;
    const product: SeedProduct = {
      upc,
      name,
      description: description(random, kind, material),
      price: price(random, kind.cents),
      weight: Math.min(25_000, Math.max(20, Math.round(minGrams * (maxGrams / minGrams) ** random.next()))),
      createdAt: new Date(added),
    };
    return { product, kind };
  });
}

function generateStock(products: readonly SeedProduct[], seed: number): SeedStock[] {
  const random = createRandom(seed, 'stock');
  return products.map(({ upc }) => ({
    upc,
    quantity: random.chance(0.1) ? 0 : 1 + Math.floor(499 * random.next() ** 1.6),
  }));
}

function sentimentOf(random: Random, rating: number, sentence: number): Sentiment {
  if (rating >= 5) return 'positive';
  if (rating === 4) return sentence > 0 && random.chance(0.25) ? 'mixed' : 'positive';
  if (rating === 3) return random.weighted([['mixed', 70], ['positive', 15], ['negative', 15]]);
  if (rating === 2) return sentence > 0 && random.chance(0.3) ? 'mixed' : 'negative';
  return 'negative';
}

function reviewBody(random: Random, rating: number, noun: string): string {
  const count = random.weighted([[1, 12], [2, 32], [3, 28], [4, 17], [5, 11]]);
  const chosen = new Set<string>();
  while (chosen.size < count) {
    const pool: readonly string[] = REVIEW_SENTENCES[sentimentOf(random, rating, chosen.size)];
    // One-line reviews mostly say what, who or how long, so they rarely repeat word for word.
    const named = count === 1 && random.chance(0.75);
    chosen.add(random.pick(named ? pool.filter((sentence) => sentence.includes('{')) : pool));
  }
  return [...chosen]
    .map((sentence) => {
      const text = sentence
        .replace('{noun}', noun)
        .replace('{person}', random.pick(PEOPLE))
        .replace('{span}', random.pick(TIME_SPANS));
      return text.charAt(0).toUpperCase() + text.slice(1);
    })
    .join(' ');
}

function generateReviews(
  count: number,
  users: readonly SeedUser[],
  catalogue: readonly CatalogueEntry[],
  seed: number,
): SeedReview[] {
  if (count === 0) return [];
  if (users.length === 0 || catalogue.length === 0) {
    throw new RangeError('reviews need at least one user and one product');
  }
  const random = createRandom(seed, 'reviews');
  const authors = popularity(random, users.length, 1.1, 3);
  const products = popularity(random, catalogue.length, 1, 8);
  const guaranteedProducts = products.ranked.slice(0, Math.ceil(catalogue.length * REVIEWED_SHARE));
  const written = new Set<string>();
  const drafts = Array.from({ length: count }, (_, i) => {
    let author = at(users, 0);
    let entry = at(catalogue, 0);
    // One review per author and product, unless a tiny world runs out of pairs.
    for (let attempt = 0; attempt < 32; attempt++) {
      author = at(users, i < GUARANTEED_AUTHORS ? i % users.length : authors.draw());
      entry = at(catalogue, i < guaranteedProducts.length ? at(guaranteedProducts, i) : products.draw());
      if (!written.has(`${author.id}:${entry.product.upc}`)) break;
    }
    written.add(`${author.id}:${entry.product.upc}`);
    const rating = random.weighted([[5, 40], [4, 30], [3, 15], [2, 8], [1, 7]]);
    const after = Math.max(author.createdAt.getTime(), entry.product.createdAt.getTime()) + 1;
    return {
      productUpc: entry.product.upc,
      authorId: author.id,
      rating,
      body: reviewBody(random, rating, spoken(entry.kind)),
      createdAt: new Date(random.int(after, REVIEWED_UNTIL)),
    };
  });
  return drafts
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    .map((draft, index) => ({ id: index + 1, ...draft }));
}

function checkCount(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a whole number from 0; got ${value}`);
  }
  return value;
}

/** Builds the whole seed world; `size` overrides parts of DEFAULT_WORLD_SIZE, `seed` is any 32-bit integer. */
export function generateWorld(size: Partial<WorldSize> = {}, seed: number = DEFAULT_SEED): World {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer; got ${seed}`);
  const userCount = checkCount(size.users ?? DEFAULT_WORLD_SIZE.users, 'users');
  const productCount = checkCount(size.products ?? DEFAULT_WORLD_SIZE.products, 'products');
  const reviewCount = checkCount(size.reviews ?? DEFAULT_WORLD_SIZE.reviews, 'reviews');
  const users = generateUsers(userCount, seed);
  const catalogue = generateCatalogue(productCount, seed);
  const products = catalogue.map(({ product }) => product);
  return {
    users,
    products,
    stock: generateStock(products, seed),
    reviews: generateReviews(reviewCount, users, catalogue, seed),
  };
}
