/** What Apollo Client 4 sends (HttpLink's default Accept). */
export const APOLLO_CLIENT_ACCEPT = 'multipart/mixed;deferSpec=20220824,application/graphql-response+json,application/json;q=0.9';

/** A `multipart/mixed` answer (deferSpec=20220824) read as a client reads it: each part's JSON, in order. */
export function partsOf(body: string, boundary = 'graphql'): unknown[] {
  const delimiter = `\r\n--${boundary}`;
  if (!body.startsWith(delimiter) || !body.endsWith(`${delimiter}--\r\n`)) throw new Error(`Not a closed multipart body: ${JSON.stringify(body.slice(0, 200))}`);
  return body
    .slice(delimiter.length, -`${delimiter}--\r\n`.length)
    .split(delimiter)
    .map((part) => {
      const [head, json] = part.split('\r\n\r\n') as [string, string];
      if (head !== '\r\ncontent-type: application/json; charset=utf-8') throw new Error(`Unexpected part head: ${JSON.stringify(head)}`);
      return JSON.parse(json) as unknown;
    });
}

type Part = { data?: unknown; errors?: unknown[]; hasNext?: boolean; incremental?: { data: unknown; path: (string | number)[]; errors?: unknown[] }[] };

/**
 * The parts merged as a client merges them: each incremental item's data
 * deep-merged at its path, errors gathered. What the same operation without
 * `@defer` answers should equal this.
 */
export function mergeParts(parts: readonly unknown[]): { data: unknown; errors: unknown[] } {
  const [first, ...rest] = parts as Part[];
  const data = structuredClone(first!.data) as Record<string, unknown> | null;
  const errors = [...(first!.errors ?? [])];
  for (const part of rest) {
    for (const item of part.incremental ?? []) {
      errors.push(...(item.errors ?? []));
      let at: unknown = data;
      for (const step of item.path) at = (at as Record<string | number, unknown> | null)?.[step];
      if (at && typeof at === 'object' && item.data && typeof item.data === 'object') deepMerge(at as Record<string, unknown>, item.data as Record<string, unknown>);
    }
  }
  return { data, errors };
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing && value && typeof existing === 'object' && typeof value === 'object') {
      if (Array.isArray(existing) && Array.isArray(value)) value.forEach((item, index) => (existing[index] && item && typeof item === 'object' ? deepMerge(existing[index] as Record<string, unknown>, item as Record<string, unknown>) : (existing[index] = item)));
      else deepMerge(existing as Record<string, unknown>, value as Record<string, unknown>);
    } else target[key] = value;
  }
}
