import type { Logger } from '#lib/logger.js';

/*
 * What a supergraph source is, in a file of its own: supergraph-file.ts and
 * supergraph-url.ts implement it, and supergraph-source.ts, which picks
 * between them, re-exports it; neither has to import that module back.
 */

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
