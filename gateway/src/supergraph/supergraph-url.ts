import type { SourceOptions, SupergraphSource } from './supergraph-source-type.js';

/** How long one fetch of the supergraph may take. */
const FETCH_TIMEOUT_MS = 10_000;

/** The URL as logs may show it: no user, password, query or fragment, where tokens hide. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/** Why a fetch failed, in words: fetch itself says only "fetch failed"; its cause says why. */
function reasonOf(error: unknown): string {
  const { name, message, cause } = error as Error & { cause?: Error };
  if (name === 'TimeoutError') return `no answer in ${FETCH_TIMEOUT_MS / 1000} s`;
  return cause?.message ?? message;
}

/**
 * A supergraph served over HTTP(S) (a registry, an object store, a config
 * server), asked for every `pollIntervalMs` with the ETag and Last-Modified of
 * the last answer, so an unchanged supergraph costs a 304 and no parsing. A
 * failed poll (unreachable, 5xx, timeout) is logged and the current
 * supergraph serves on; the next poll tries again.
 */
export function supergraphUrl(location: string, { logger, pollIntervalMs }: SourceOptions): SupergraphSource {
  const label = redactUrl(location);
  // fetch refuses a URL with credentials in it: they go as Basic authentication instead.
  const url = new URL(location);
  const authorization = url.username || url.password
    ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
    : undefined;
  url.username = '';
  url.password = '';
  let etag: string | undefined;
  let lastModified: string | undefined;
  // The content last handed on: servers without validators send it again unchanged.
  let last: string | undefined;

  /** The new supergraph, or undefined when it has not changed; throws when there is no answer to use. */
  async function fetchSupergraph(signal: AbortSignal): Promise<string | undefined> {
    const headers: Record<string, string> = { accept: 'text/plain, application/graphql, */*' };
    if (authorization) headers.authorization = authorization;
    if (etag) headers['if-none-match'] = etag;
    if (lastModified) headers['if-modified-since'] = lastModified;
    const response = await fetch(url, { headers, signal: AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]) });
    if (response.status === 304) return undefined;
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    const sdl = await response.text();
    etag = response.headers.get('etag') ?? undefined;
    lastModified = response.headers.get('last-modified') ?? undefined;
    if (sdl === last) return undefined;
    last = sdl;
    return sdl;
  }

  return {
    label,
    async load() {
      try {
        // The first answer is always new: `last` is unset.
        return (await fetchSupergraph(new AbortController().signal))!;
      } catch (error) {
        throw new Error(`Cannot fetch the supergraph ${label}: ${reasonOf(error)}.`);
      }
    },
    watch(onChange) {
      const stopping = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const poll = async () => {
        try {
          const sdl = await fetchSupergraph(stopping.signal);
          if (sdl !== undefined && !stopping.signal.aborted) onChange(sdl);
          else logger.debug({ supergraph: label }, 'supergraph unchanged');
        } catch (error) {
          if (stopping.signal.aborted) return;
          logger.warn({ supergraph: label, reason: reasonOf(error) }, 'supergraph unavailable');
        }
        schedule();
      };
      // The next poll after this one ends: a slow server never has two polls at once.
      const schedule = () => {
        if (stopping.signal.aborted) return;
        timer = setTimeout(() => void poll(), pollIntervalMs);
        // Polling alone never keeps the process alive.
        timer.unref();
      };
      schedule();
      return {
        stop() {
          stopping.abort();
          clearTimeout(timer);
        },
      };
    },
  };
}
