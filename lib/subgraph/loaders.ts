import { tracing, withChildSpanAsync } from '#lib/telemetry.js';

/**
 * Helpers for DataLoader batch functions, which must answer in the order of
 * their keys: one value (or null) per key, or one list per key.
 */
export function oneByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const byKey = new Map<K, R>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((key) => byKey.get(key) ?? null);
}

export function manyByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const byKey = new Map<K, R[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }
  return keys.map((key) => byKey.get(key) ?? []);
}

/** Integer ids travel as GraphQL `ID` strings; anything that is not one names nothing. */
export function parseIntId(id: string | number): number | null {
  const value = typeof id === 'number' ? id : /^\d{1,10}$/.test(id) ? Number(id) : NaN;
  return Number.isSafeInteger(value) && value > 0 && value <= 2_147_483_647 ? value : null;
}

/**
 * A batch function that runs in a span of its own (`loader <name>`, with the
 * number of keys), so a trace shows each batch and the SQL it sent. When
 * tracing is off it is `batch` itself.
 */
export function traced<K, R>(name: string, batch: (keys: readonly K[]) => Promise<R>): (keys: readonly K[]) => Promise<R> {
  if (!tracing()) return batch;
  return (keys) => withChildSpanAsync(`loader ${name}`, { 'junction.loader.name': name, 'junction.loader.keys': keys.length }, () => batch(keys));
}
