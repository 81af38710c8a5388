import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireLock, type DataDirLock, type Holder, type ServedAddress } from './db-lock.js';

/**
 * Who opens an embedded database's data directory: one process at a time,
 * under the lock of db-lock.ts, and every other process through it, on the
 * socket it serves (db-socket.ts), as it would use a Postgres server.
 *
 * - `hold` (npm start, npm run dev): opens it itself and serves it while it
 *   runs; refuses, naming it, when another process serves it already.
 * - `serve` (a process that runs for long: a subgraph on its own, the
 *   gateway's API keys): uses the one served, or opens it itself and serves it.
 * - `use` (a one-off command: junction api-key, db:migrate, db:seed): uses the
 *   one served, or opens it itself for as long as it runs.
 * Either of the last two waits for a holder that does not serve (a one-off
 * command, or a holder still starting) to serve it or let go of it.
 */
export type EmbeddedSharing = 'hold' | 'serve' | 'use';

export type DataDirClaim =
  /** Another process serves it: connect there. */
  | { kind: 'served'; holder: Holder; address: ServedAddress }
  /** This process holds the lock: open the directory, and, if `serve`, serve it. */
  | { kind: 'own'; lock: DataDirLock; serve: boolean };

/** The lock file, beside the data directory: `<JUNCTION_DATA_DIR>/pglite.lock`. */
export const lockPathOf = (dataDir: string) => `${dataDir}.lock`;
/** The socket its holder serves it on, in the directory, named as Postgres names its own: `psql -h <dir>` connects. */
export const socketPathOf = (dataDir: string) => join(dataDir, '.s.PGSQL.5432');

/** How long a process waits for a holder that does not serve to serve or let go: a migration or a seed runs for seconds. */
const WAIT_MS = 60_000;
/** When the wait is said, rather than left silent. */
const SAY_WAITING_AFTER_MS = 1_000;
const POLL_MS = 100;

/** Another process holds the data directory, and this one may not use it: the message names that process. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: Holder,
    waitedMs?: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by ${describeHolder(holder)}` +
        (waitedMs === undefined ? '.' : `, which has not let go of it in ${Math.round(waitedMs / 1000)} s.`) +
        ' Stop that process first, or give this one a JUNCTION_DATA_DIR of its own.',
    );
    this.name = 'DataDirInUseError';
  }
}

export function describeHolder(holder: Holder): string {
  const since = holder.since.slice(0, 19).replace('T', ' ');
  return `pid ${holder.pid} (${holder.command}, since ${since} UTC)`;
}

export async function claimDataDir(dataDir: string, sharing: EmbeddedSharing): Promise<DataDirClaim> {
  const lockPath = lockPathOf(dataDir);
  const serve = sharing !== 'use';
  const started = Date.now();
  let said = false;
  for (let attempt = 0; ; attempt++) {
    const found = acquireLock(lockPath, serve);
    if ('release' in found) return { kind: 'own', lock: found, serve };
    if (found.state === 'held') {
      const { holder } = found;
      if (sharing === 'hold' && holder.serves) throw new DataDirInUseError(dataDir, holder);
      if (sharing !== 'hold' && holder.address) return { kind: 'served', holder, address: holder.address };
      const waited = Date.now() - started;
      if (waited > WAIT_MS) throw new DataDirInUseError(dataDir, holder, waited);
      if (!said && waited > SAY_WAITING_AFTER_MS) {
        said = true;
        process.stderr.write(`Waiting for ${describeHolder(holder)} to ${holder.serves ? 'serve' : 'let go of'} the embedded database in ${dataDir}...\n`);
      }
    }
    // Free or stale (removed just now): take it at once; held or half-written: look again shortly.
    if (found.state === 'held' || found.state === 'unreadable' || attempt > 10) await sleep(POLL_MS);
  }
}
