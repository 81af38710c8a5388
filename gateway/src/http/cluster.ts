import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from '#lib/logger.js';
import { stopOnSignals } from '#lib/shutdown.js';

/**
 * `junction gateway --workers N`: a primary process that forks N workers, each
 * the ordinary one-process gateway, all serving one port through node:cluster.
 */

/** `--workers`: a whole number of at least 1, or `auto` for one per core; undefined if neither. */
export function parseWorkers(value: string): number | undefined {
  if (value === 'auto') return availableParallelism();
  const count = /^\d+$/.test(value) ? Number(value) : 0;
  return count >= 1 ? count : undefined;
}

/**
 * What this process is: the gateway alone (one worker), the primary that forks
 * the workers, or one of them. Workers re-run the primary's command line, so
 * they see the same `--workers`; node:cluster tells them apart.
 */
export function clusterRole(workers: number): 'alone' | 'primary' | 'worker' {
  if (workers === 1) return 'alone';
  return cluster.isPrimary ? 'primary' : 'worker';
}

const READY = 'junction:worker-ready';
type ReadyMessage = { type: typeof READY; url: string };

/** Tells the primary that this worker is listening, at `url`. */
export function reportReady(url: string): void {
  const message: ReadyMessage = { type: READY, url };
  process.send?.(message);
}

function isReady(message: unknown): message is ReadyMessage {
  return typeof message === 'object' && message !== null && (message as ReadyMessage).type === READY;
}

/** More deaths than this many per worker within CRASH_WINDOW_MS is a crash loop. */
const CRASHES_PER_WORKER = 3;
const CRASH_WINDOW_MS = 10_000;
/** Replacements in a row that die before listening: the config no longer starts. */
const FAILED_STARTS = 3;
/** How much longer than a worker's own stop (`workerStopMs`) the primary waits for it. */
const STOP_MARGIN_MS = 5_000;

/**
 * Forks the workers and keeps them running: logs `gateway ready` once all are
 * listening, replaces any that dies, and stops them all on SIGINT/SIGTERM.
 * A worker that dies before the gateway was first ready means the config
 * does not start, as it would not alone: the primary stops and exits 1 rather
 * than retry. Later it gives up on a crash loop the same way.
 */
export function runPrimary({
  workers,
  supergraph,
  logger,
  workerStopMs,
}: {
  workers: number;
  supergraph: string;
  logger: Logger;
  /** How long each worker's own graceful stop may take (lib/shutdown.ts shutdownTimeoutMs). */
  workerStopMs: number;
}): void {
  const stopTimeoutMs = workerStopMs + STOP_MARGIN_MS;
  const exits = new Map<Worker, Promise<number | null>>();
  const listening = new Set<Worker>();
  const deaths: number[] = [];
  let ready = false;
  let failedStarts = 0;
  let stopped: Promise<(number | null)[]> | undefined;

  // SIGTERM is what each worker stops cleanly on (and ignores when Ctrl-C already reached it).
  const stopWorkers = () =>
    (stopped ??= (() => {
      for (const worker of exits.keys()) worker.process.kill('SIGTERM');
      return Promise.all(exits.values());
    })());

  const giveUp = (reason: string) => {
    process.stderr.write(`${reason}\n`);
    const timer = setTimeout(() => process.exit(1), stopTimeoutMs);
    timer.unref();
    void stopWorkers().then(() => process.exit(1));
  };

  const fork = () => {
    const worker = cluster.fork();
    exits.set(worker, new Promise((resolve) => worker.once('exit', (code) => resolve(code))));
    worker.on('message', (message: unknown) => {
      if (!isReady(message)) return;
      listening.add(worker);
      failedStarts = 0;
      if (!ready && listening.size === workers) {
        ready = true;
        logger.info({ url: message.url, workers, supergraph }, 'gateway ready');
      }
    });
    worker.once('exit', (code, signal) => {
      exits.delete(worker);
      const started = listening.delete(worker);
      if (stopped) return;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (!ready) return giveUp(`A gateway worker exited (${how}) before it was ready; stopping.`);
      logger.error({ worker: worker.process.pid, code, signal }, 'worker died');
      const now = Date.now();
      deaths.push(now);
      while (deaths[0]! < now - CRASH_WINDOW_MS) deaths.shift();
      if (!started) failedStarts += 1;
      if (deaths.length > CRASHES_PER_WORKER * workers) {
        return giveUp(`Gateway workers keep dying (${deaths.length} within ${CRASH_WINDOW_MS / 1000} s); stopping.`);
      }
      if (failedStarts >= FAILED_STARTS) {
        return giveUp(`${failedStarts} new gateway workers in a row died before they were ready; stopping.`);
      }
      fork();
    });
  };

  for (let i = 0; i < workers; i += 1) fork();

  stopOnSignals(
    async () => {
      const codes = await stopWorkers();
      const failed = codes.filter((code) => code !== 0 && code !== null).length;
      if (failed > 0) throw new Error(`${failed} of the workers did not stop cleanly`);
    },
    { logger, timeoutMs: stopTimeoutMs },
  );
}
