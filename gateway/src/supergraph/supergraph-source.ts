import { createHash } from 'node:crypto';
import type { Logger } from '#lib/logger.js';
import { supergraphFile } from './supergraph-file.js';
import { supergraphUrl } from './supergraph-url.js';

/**
 * Where the gateway's supergraph comes from (`--supergraph FILE|URL`), and how
 * it hears of a new one: a file is watched, a URL polled. Each new supergraph
 * goes to the gateway's `reload`, which swaps it in between requests or, when
 * it is invalid, refuses it while the current one keeps serving.
 */
export type SupergraphSource = {
  /** Where, fit for logs: the path, or the URL without credentials, query or fragment. */
  label: string;
  /** The supergraph as it is now, for the start; rejects with a reason an operator can act on. */
  load(): Promise<string>;
  /** Calls `onChange` with each supergraph that differs from the last one seen, until `stop`. */
  watch(onChange: (sdl: string) => void): { stop(): void };
};

export type SourceOptions = {
  logger: Logger;
  /** URL: how often to ask for a new supergraph. */
  pollIntervalMs: number;
  /** File: how long the file must be quiet before it is read (editors write in steps). */
  debounceMs?: number;
};

export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

export function openSupergraphSource(location: string, options: SourceOptions): SupergraphSource {
  return isUrl(location) ? supergraphUrl(location, options) : supergraphFile(location, options);
}

/** A short, stable name for a supergraph's content, to tell versions apart in logs. */
export function supergraphHash(sdl: string): string {
  return createHash('sha256').update(sdl).digest('hex').slice(0, 12);
}

/** How many subgraphs a supergraph joins: one `@join__graph(name: "…")` per subgraph (not its definition). */
export function subgraphCount(sdl: string): number {
  return sdl.match(/@join__graph\(name: "/g)?.length ?? 0;
}

/**
 * Watches `source` and hands each new supergraph to `reload`, logging the
 * outcome: `supergraph reloaded` (info) or `supergraph rejected` (warn, with
 * the reason). A rejected supergraph never stops the process.
 */
export function hotReload(source: SupergraphSource, reload: (sdl: string) => void, logger: Logger): { stop(): void } {
  return source.watch((sdl) => {
    const about = { supergraph: source.label, hash: supergraphHash(sdl) };
    try {
      reload(sdl);
    } catch (error) {
      logger.warn({ ...about, reason: (error as Error).message }, 'supergraph rejected');
      return;
    }
    logger.info({ ...about, subgraphs: subgraphCount(sdl) }, 'supergraph reloaded');
  });
}

/** `--poll-interval`: `500ms`, `10s`, `2m`, or a bare number of seconds; undefined if none of those. */
export function parseInterval(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!match) return undefined;
  const unit = match[2] === 'ms' ? 1 : match[2] === 'm' ? 60_000 : 1_000;
  const ms = Number(match[1]) * unit;
  return ms >= 1 ? Math.round(ms) : undefined;
}
