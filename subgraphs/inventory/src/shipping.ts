/** Products at or above this price (in cents) ship free. */
export const FREE_SHIPPING_FROM = 100_000;
/** Cents per started kilogram. */
export const CENTS_PER_KILOGRAM = 100;

/** The cost of shipping one unit, in cents. */
export function shippingEstimate(price: number, weightInGrams: number): number {
  if (price >= FREE_SHIPPING_FROM) return 0;
  return Math.ceil(weightInGrams / 1000) * CENTS_PER_KILOGRAM;
}
