/**
 * The seed world's randomness: seeded, so the same seed gives the same
 * numbers on any machine.
 */
export type Random = {
  /** A float in [0, 1) with 53 random bits. */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  weighted<T>(choices: readonly (readonly [T, number])[]): T;
};

/** One mulberry32 stream per part of the world, so resizing one part leaves the others alone. */
export function createRandom(seed: number, stream: string): Random {
  let state = seed >>> 0;
  for (const char of stream) state = Math.imul(state ^ char.charCodeAt(0), 0x01000193) >>> 0;
  const next32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const random: Random = {
    next: () => ((next32() >>> 5) * 67_108_864 + (next32() >>> 6)) / 9_007_199_254_740_992,
    int: (min, max) => min + Math.floor(random.next() * (max - min + 1)),
    chance: (probability) => random.next() < probability,
    pick: (items) => at(items, Math.floor(random.next() * items.length)),
    weighted: (choices) => {
      let ticket = random.next() * choices.reduce((sum, [, weight]) => sum + weight, 0);
      for (const [choice, weight] of choices) {
        ticket -= weight;
        if (ticket < 0) return choice;
      }
      return at(choices, choices.length - 1)[0];
    },
  };
  return random;
}

export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no item at ${index} of ${items.length}`);
  return item;
}

export function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [copy[i], copy[j]] = [at(copy, j), at(copy, i)];
  }
  return copy;
}

/**
 * Zipf-like popularity over indexes 0..n-1: the index at rank r is drawn with
 * weight 1 / (r + offset)^exponent. `ranked` lists indexes, most popular first.
 */
export function popularity(random: Random, n: number, exponent: number, offset: number) {
  const ranked = shuffled(random, Array.from({ length: n }, (_, index) => index));
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 0; rank < n; rank++) cumulative.push((total += 1 / (rank + offset) ** exponent));
  const draw = (): number => {
    const ticket = random.next() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (at(cumulative, mid) > ticket) high = mid;
      else low = mid + 1;
    }
    return at(ranked, low);
  };
  return { ranked, draw };
}

export function sortedTimes(random: Random, count: number, from: number, until: number): number[] {
  return Array.from({ length: count }, () => random.int(from, until - 1)).sort((a, b) => a - b);
}
