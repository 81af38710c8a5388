import { setTimeout as sleep } from 'node:timers/promises';
import type { Env } from './env.js';
import type { Logger } from './logger.js';

type ShutdownEnv = Pick<Env, 'SHUTDOWN_DELAY_MS' | 'SHUTDOWN_GRACE_MS'>;

/** An HTTP service that can stop gracefully: the gateway, or a served subgraph. */
export type Drainable = {
  /** Answers /ready with 503 from now on, while still serving. */
  drain(): void;
  /** Stops accepting connections; requests in flight get `graceMs` to finish. */
  close(graceMs: number): Promise<void>;
};

/**
 * The graceful part of a stop. Every service turns not ready at once and keeps
 * serving for SHUTDOWN_DELAY_MS, so load balancers probing /ready stop sending
 * it traffic; then each closes in turn (a gateway before the subgraphs it
 * calls), requests in flight sharing one SHUTDOWN_GRACE_MS. With no delay the
 * servers close in the same tick as the signal: nothing new is accepted.
 */
export async function drainAndClose(services: Drainable[], env: ShutdownEnv): Promise<void> {
  for (const service of services) service.drain();
  if (env.SHUTDOWN_DELAY_MS > 0) await sleep(env.SHUTDOWN_DELAY_MS);
  const deadline = Date.now() + env.SHUTDOWN_GRACE_MS;
  for (const service of services) await service.close(Math.max(0, deadline - Date.now()));
}

/**
 * How long a whole stop may take before stopOnSignals gives up: the delay, the
 * grace period, and 10 s to close database pools (which wait up to 5 s) and Redis.
 */
export function shutdownTimeoutMs(env: ShutdownEnv): number {
  return env.SHUTDOWN_DELAY_MS + env.SHUTDOWN_GRACE_MS + 10_000;
}

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
