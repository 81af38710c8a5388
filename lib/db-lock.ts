import { closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { relative } from 'node:path';
import { z } from 'zod';

/**
 * The lock on an embedded database's data directory: PGlite is one process's
 * database, and two processes writing the same files destroy it. The lock is a
 * file beside the directory (`<dir>.lock`), created with O_EXCL so that only
 * one process can make it, holding what other processes need: who holds the
 * database (pid and command, for the message naming it) and, once it serves
 * it (lib/db-socket.ts), where to connect.
 */

/** Where a holder serves its database: a Unix socket, or a TCP port on 127.0.0.1 when no socket path fits. */
export type ServedAddress = { path: string } | { host: string; port: number };

const holderSchema = z.object({
  pid: z.number().int().positive(),
  command: z.string(),
  since: z.string(),
  /** Linux: when the process started (/proc/<pid>/stat), so that a pid reused since is not taken for the holder. */
  processStart: z.string().optional(),
  /** Whether the holder serves the database to other processes while it runs (set when it takes the lock). */
  serves: z.boolean(),
  /** Where, once it listens. */
  address: z.union([z.object({ path: z.string() }), z.object({ host: z.string(), port: z.number().int() })]).optional(),
});

export type Holder = z.infer<typeof holderSchema>;

/** A lock this process holds. */
export type DataDirLock = {
  readonly holder: Holder;
  /** Records where the database is served, for other processes to find. */
  serving(address: ServedAddress): void;
  /** Removes the lock file, if it is still this lock's. Safe to call twice. */
  release(): void;
};

/** Lock files this process holds, by path: one left by a process that had our pid before is not ours. */
const heldHere = new Set<string>();

/** What the holder is, in the words a person would have typed: `npm start`, `node bin/junction.js api-key create ...`. */
function describeCommand(): string {
  const script = process.argv[1] ? relative(process.cwd(), process.argv[1]) : '';
  const event = process.env.npm_lifecycle_event;
  if (event && script && process.env.npm_lifecycle_script?.includes(script)) return event === 'start' ? 'npm start' : `npm run ${event}`;
  return ['node', script, ...process.argv.slice(2)].filter(Boolean).join(' ').slice(0, 200);
}

/** Linux: the start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat); undefined elsewhere. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process a lock names still runs (and is the same process, not a later one given its pid). */
function isAlive({ pid, processStart: started }: Pick<Holder, 'pid' | 'processStart'>, lockPath: string): boolean {
  if (pid === process.pid) return heldHere.has(lockPath);
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (started === undefined) return true;
  const now = processStart(pid);
  return now === undefined || now === started;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parse(text: string): Holder | undefined {
  try {
    const parsed = holderSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lock file as it is now: `free` (none), `held` by a live process,
 * `stale` (its process is gone), or `unreadable` (being written this instant,
 * or garbage).
 */
export type LockState =
  | { state: 'free' }
  | { state: 'held'; holder: Holder }
  | { state: 'stale'; text: string }
  | { state: 'unreadable'; text: string };

export function readLock(lockPath: string): LockState {
  const text = readText(lockPath);
  if (text === undefined) return { state: 'free' };
  const holder = parse(text);
  if (!holder) return { state: 'unreadable', text };
  return isAlive(holder, lockPath) ? { state: 'held', holder } : { state: 'stale', text };
}

/** A lock file no process can be writing any more: created and written within the same few microseconds, or it is garbage. */
const UNREADABLE_FOR_MS = 5_000;

/**
 * Takes the lock, or says who holds it. A stale lock (its process died
 * without removing it: killed, out of memory) is removed and taken; removing
 * one is itself done under a second O_EXCL file, so that two processes that
 * both found the same stale lock cannot remove each other's fresh one.
 */
export function acquireLock(lockPath: string, serves: boolean): DataDirLock | LockState {
  const started = processStart(process.pid);
  const holder: Holder = {
    pid: process.pid,
    command: describeCommand(),
    since: new Date().toISOString(),
    serves,
    ...(started !== undefined ? { processStart: started } : {}),
  };
  let text = JSON.stringify(holder);
  try {
    const fd = openSync(lockPath, 'wx', 0o600);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const found = readLock(lockPath);
    if (found.state === 'stale' || (found.state === 'unreadable' && ageMs(lockPath) > UNREADABLE_FOR_MS)) {
      removeStale(lockPath, found.text);
    }
    return found;
  }

  heldHere.add(lockPath);
  const releaseOnExit = () => release();
  process.on('exit', releaseOnExit);
  const removeSignalHandlers = releaseOnSignals(() => release());
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', releaseOnExit);
    removeSignalHandlers();
    // Only our own: a lock file that is not (a process took ours for stale) is left alone.
    if (readText(lockPath) === text) unlinkQuietly(lockPath);
    heldHere.delete(lockPath);
  };
  return {
    holder,
    serving(address) {
      const next = JSON.stringify({ ...holder, address });
      // Written aside and renamed over: a reader sees the old record or the new one, never half of one.
      const aside = `${lockPath}.${process.pid}`;
      const fd = openSync(aside, 'w', 0o600);
      try {
        writeSync(fd, next);
      } finally {
        closeSync(fd);
      }
      renameSync(aside, lockPath);
      text = next;
    },
    release,
  };
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** Removes a stale lock file if it still says `text`, under `<lock>.takeover`; a caller then tries to take the lock again. */
function removeStale(lockPath: string, text: string): void {
  const takeover = `${lockPath}.takeover`;
  let fd: number;
  try {
    fd = openSync(takeover, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process is taking over; unless it died doing so, in which case its file goes too.
    const pid = Number(readText(takeover));
    if (Number.isInteger(pid) && pid > 0 && !isAlive({ pid }, takeover)) unlinkQuietly(takeover);
    return;
  }
  try {
    writeSync(fd, String(process.pid));
    closeSync(fd);
    if (readText(lockPath) === text) unlinkQuietly(lockPath);
  } finally {
    unlinkQuietly(takeover);
  }
}

/**
 * A process with no SIGINT/SIGTERM handler of its own (a one-off command)
 * dies of the signal without running `exit` handlers: the lock is removed
 * first, then the signal is raised again to end the process as it would have.
 * A process that handles the signal itself (stopOnSignals) closes the
 * database in its own time, and exits through the `exit` handler otherwise.
 */
function releaseOnSignals(release: () => void): () => void {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const handlers = signals.map((signal) => {
    const handler = () => {
      if (process.listenerCount(signal) > 1) return;
      release();
      process.kill(process.pid, signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
