import { createHash } from 'node:crypto';
import type { Logger } from '#lib/logger.js';
import { supergraphFile } from './supergraph-file.js';
import type { SourceOptions, SupergraphSource } from './supergraph-source-type.js';
import { supergraphUrl } from './supergraph-url.js';

export type { SourceOptions, SupergraphSource };

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
