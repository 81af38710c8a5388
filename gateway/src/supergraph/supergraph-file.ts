import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { SourceOptions, SupergraphSource } from './supergraph-source-type.js';

const DEFAULT_DEBOUNCE_MS = 150;

function readError(path: string, error: NodeJS.ErrnoException): Error {
  return new Error(`Cannot read the supergraph ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`);
}

/**
 * A supergraph file, watched through its directory rather than the file
 * itself: editors and `mv` replace a file by renaming another over it, and a
 * Kubernetes ConfigMap volume swaps a symlink beside it, which a watch on the
 * file alone would miss. Any change in the directory, once quiet for
 * `debounceMs`, reads the file again; unchanged content is ignored.
 */
export function supergraphFile(path: string, { logger, debounceMs = DEFAULT_DEBOUNCE_MS }: SourceOptions): SupergraphSource {
  // The content last handed on (or read at the start): the same bytes again are not a new supergraph.
  let last: string | undefined;

  return {
    label: path,
    async load() {
      last = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw readError(path, error);
      });
      return last;
    },
    watch(onChange) {
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      // One read at a time, so two saves in a row are never applied out of order.
      let reading: Promise<void> = Promise.resolve();

      const check = async () => {
        let sdl: string;
        try {
          sdl = await readFile(path, 'utf8');
        } catch (error) {
          // Mid-rename, or deleted: the current supergraph serves on, and the next change is read.
          logger.warn({ supergraph: path, reason: readError(path, error as NodeJS.ErrnoException).message }, 'supergraph unavailable');
          return;
        }
        if (stopped || sdl === last) return;
        last = sdl;
        onChange(sdl);
      };
      const changed = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          reading = reading.then(check).catch((error: unknown) => logger.error({ supergraph: path, err: error }, 'supergraph reload failed'));
        }, debounceMs);
      };

      let watcher: FSWatcher;
      try {
        watcher = watch(dirname(resolve(path)), changed);
      } catch (error) {
        logger.error({ supergraph: path, err: error }, 'cannot watch the supergraph file; it will not be reloaded');
        return { stop() {} };
      }
      watcher.on('error', (error) => logger.error({ supergraph: path, err: error }, 'watching the supergraph file failed'));
      return {
        stop() {
          stopped = true;
          clearTimeout(timer);
          watcher.close();
        },
      };
    },
  };
}
