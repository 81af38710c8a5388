import { sql } from 'drizzle-orm';
import type { Database } from './db.js';
import { sendJson, type Handler } from './http.js';
import type { Logger } from './logger.js';

/** Why a process should get no traffic now: the `reason` its /ready answers 503 with. */
export type NotReady = 'shutting down' | 'database unavailable';

/** A dependency the process cannot serve without: undefined when it answers. */
export type ReadinessCheck = () => Promise<NotReady | undefined>;

/**
 * Whether a process should get traffic. Liveness (/health) says only that it
 * answers at all; readiness (/ready) that it can serve a request now: it is
 * not shutting down, and what it depends on (a subgraph's database) answers.
 */
export class Readiness {
  #shuttingDown = false;
  #pending: Promise<NotReady | undefined> | undefined;
  readonly #check: ReadinessCheck | undefined;

  constructor(check?: ReadinessCheck) {
    this.#check = check;
  }

  /** Not ready from now on, for good: the first step of a graceful shutdown. */
  shutDown(): void {
    this.#shuttingDown = true;
  }

  /** Why the process is not ready, or undefined when it is. Concurrent probes share one check. */
  async reason(): Promise<NotReady | undefined> {
    if (this.#shuttingDown) return 'shutting down';
    if (!this.#check) return undefined;
    this.#pending ??= this.#check().finally(() => (this.#pending = undefined));
    const reason = await this.#pending;
    return this.#shuttingDown ? 'shutting down' : reason;
  }
}

/**
 * The database answers a trivial query within `timeoutMs`. A database that is
 * down, refuses us, or has no free connection for that long is unavailable;
 * the cause is logged when that starts, not on every probe.
 */
export function databaseAnswers(db: Database, logger: Logger, timeoutMs = 1_000): ReadinessCheck {
  let failing = false;
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Error>((resolve) => {
      timer = setTimeout(() => resolve(new Error(`no answer to "select 1" within ${timeoutMs} ms`)), timeoutMs);
    });
    const answered = db.execute(sql`select 1`).then(
      () => undefined,
      (error: unknown) => error,
    );
    const error = await Promise.race([answered, timedOut]);
    clearTimeout(timer);
    if (error !== undefined && !failing) logger.warn({ err: error }, 'database unavailable: not ready');
    if (error === undefined && failing) logger.info('database answers again: ready');
    failing = error !== undefined;
    return failing ? 'database unavailable' : undefined;
  };
}

/** GET (or HEAD) /health: alive, 200 whenever the process answers. /ready: 200, or 503 and why not. */
export function probeRoutes(readiness: Readiness): { '/health': Handler; '/ready': Handler } {
  return {
    '/health': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    '/ready': async (_req, res) => {
      const reason = await readiness.reason();
      if (reason) sendJson(res, 503, { status: 'unavailable', reason });
      else sendJson(res, 200, { status: 'ok' });
    },
  };
}
