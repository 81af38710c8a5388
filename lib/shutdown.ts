import type { Logger } from './logger.js';

/**
 * Stops the process cleanly on SIGINT or SIGTERM: runs `stop` once, then
 * exits 0. Repeated signals are ignored (npm and tsx relay the one Ctrl-C
 * again); a stop that hangs past `timeoutMs` exits 1 rather than never.
 */
export function stopOnSignals(
  stop: () => Promise<void>,
  { logger, timeoutMs = 10_000 }: { logger?: Logger; timeoutMs?: number } = {},
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger?.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger?.error({ timeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, timeoutMs).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger?.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
