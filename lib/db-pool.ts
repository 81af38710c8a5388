import type { Sql, TransactionSql } from 'postgres';
import { databaseFault, PoolTimeoutError } from './db-faults.js';
import { traceStatement, tracing } from './telemetry.js';

/**
 * The bounded pool around postgres.js: a semaphore that bounds the wait for a
 * connection, and the guards that keep a killed connection from hanging or
 * crashing the process (faults are classified in db-faults.ts).
 */
const connectionLost = (error: unknown) => databaseFault(error) === 'connection-lost';

/** How much of a pool is in use, for the metrics: read at any moment. */
export type PoolUse = { readonly size: number; readonly inUse: number; readonly waiting: number };

/**
 * A counting semaphore of connection slots: at most `size` holders; a caller
 * that cannot get one within `timeoutMs` gets a PoolTimeoutError. First come,
 * first served.
 */
export class Slots implements PoolUse {
  readonly #size: number;
  readonly #timeoutMs: number;
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number, timeoutMs: number) {
    this.#size = size;
    this.#timeoutMs = timeoutMs;
    this.#free = size;
  }

  get size(): number {
    return this.#size;
  }

  /** Slots held: statements or transactions running. */
  get inUse(): number {
    return this.#size - this.#free;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const granted = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(granted), 1);
        reject(new PoolTimeoutError(this.#timeoutMs, this.#size));
      }, this.#timeoutMs);
      this.#waiting.push(granted);
    });
  }

  /** Hands the slot to the longest waiter, or frees it. */
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }

  async hold<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}

/**
 * How often a read, or a transaction that has not started, is tried again when
 * its connection was lost. Twice, not once: the first retry may land on the
 * connection postgres.js just reopened, which replays the dead backend's 57P01
 * onto its first query without sending it (a postgres.js 3.4.9 quirk).
 */
const RETRIES_AFTER_CONNECTION_LOST = 2;

/**
 * Reads only: a statement that starts with `select` (drizzle's select and
 * relational queries). Running one twice is harmless; writes, and `with`
 * statements that may hide one, are never retried.
 */
const isRead = (query: string) => /^\s*select\b/i.test(query);

type UnsafeArgs = Parameters<Sql['unsafe']>;

/** A query as drizzle-orm/postgres-js uses one: awaited, or `.values()` then awaited. */
function deferredQuery(run: (values: boolean) => Promise<unknown>) {
  let started: Promise<unknown> | undefined;
  return {
    values: () => run(true),
    then<A = unknown, B = never>(
      onfulfilled?: ((rows: unknown) => A | PromiseLike<A>) | null,
      onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
    ): Promise<A | B> {
      return (started ??= run(false)).then(onfulfilled, onrejected);
    },
  };
}

/** Sends one statement, in a span of its own when traced (lib/telemetry.ts): each attempt, once it has a slot. */
function runUnsafe(sql: Sql | TransactionSql, args: UnsafeArgs, values: boolean): Promise<unknown> {
  return tracing() ? traceStatement(args[0], () => sendUnsafe(sql, args, values)) : sendUnsafe(sql, args, values);
}

async function sendUnsafe(sql: Sql | TransactionSql, args: UnsafeArgs, values: boolean): Promise<unknown> {
  const query = sql.unsafe(...args);
  return await (values ? query.values() : query);
}

/**
 * The postgres.js client as drizzle sees it. drizzle-orm/postgres-js calls only
 * `unsafe()` (every statement) and `begin()` (transactions, which then use the
 * transaction's own `unsafe()` and `savepoint()`); those take a slot first, so
 * at most `max` statements or transactions are in flight and the rest wait for
 * at most `poolTimeoutMs`. postgres.js itself would queue them without bound,
 * or pipeline them behind a slow statement on a busy connection. Everything
 * else (`options`, `end`…) is the client's own; `db.$client` used directly
 * bypasses the bound.
 */
export function boundedClient(client: Sql, slots: Slots): Sql {
  const unsafe = (...args: UnsafeArgs) =>
    deferredQuery((values) =>
      slots.hold(async () => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await runUnsafe(client, args, values);
          } catch (error) {
            if (attempt < RETRIES_AFTER_CONNECTION_LOST && isRead(args[0]) && connectionLost(error)) continue;
            throw error;
          }
        }
      }),
    );

  const begin = <T>(...args: [TransactionCallback<T>] | [string, TransactionCallback<T>]) => {
    const [mode, callback] = args.length === 1 ? ['', args[0]] : args;
    return slots.hold(async () => {
      for (let attempt = 0; ; attempt++) {
        const transaction = new TransactionState();
        try {
          return await client.begin(mode, (sql) => transaction.run(sql, callback));
        } catch (error) {
          transaction.ended(error);
          // Before the callback ran, nothing but BEGIN was sent: safe to try again.
          if (!transaction.started && attempt < RETRIES_AFTER_CONNECTION_LOST && connectionLost(error)) continue;
          throw error;
        } finally {
          transaction.ended();
        }
      }
    });
  };

  return new Proxy(client, {
    get: (target, key, receiver) =>
      key === 'unsafe' ? unsafe : key === 'begin' ? begin : Reflect.get(target, key, receiver),
  });
}

type TransactionCallback<T> = (sql: TransactionSql) => T | Promise<T>;

/** How long a transaction whose statement lost its connection waits for postgres.js to notice the close. */
const CLOSE_NOTICE_MS = 1_000;

/**
 * One transaction's connection, as far as its callback is concerned. When the
 * connection dies mid-transaction the server has already rolled it back, but
 * postgres.js 3.4.9 would still write the callback's later statements and its
 * own COMMIT or ROLLBACK to the closed socket, which throws outside any promise
 * and kills the process (porsager/postgres#1208), or, once the connection has
 * reconnected, runs them outside the transaction. So once the connection is
 * lost, or begin() has settled, nothing more is sent: statements fail at once,
 * and the callback is left unsettled so postgres.js never reaches its COMMIT
 * or ROLLBACK; begin() rejects by itself when it sees the connection close.
 */
class TransactionState {
  started = false;
  #lost: unknown;
  #over = false;
  readonly #whenOver: Array<() => void> = [];

  /** begin() has settled: with the error that ended the connection, if one did. */
  ended(error?: unknown): void {
    if (error !== undefined && connectionLost(error)) this.#lost ??= error;
    if (this.#over) return;
    this.#over = true;
    for (const notify of this.#whenOver.splice(0)) notify();
  }

  /** Runs a transaction's (or savepoint's) callback; postgres.js then commits or rolls back, unless the connection is gone. */
  async run<T>(sql: TransactionSql, callback: TransactionCallback<T>): Promise<T> {
    this.started = true;
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await callback(this.#guard(sql)) };
    } catch (error) {
      if (connectionLost(error)) this.#lost ??= error;
      outcome = { ok: false, error };
    }
    const gone = this.#over || (this.#lost !== undefined && (await this.#overWithin(CLOSE_NOTICE_MS)));
    if (gone) return new Promise<never>(() => {});
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  #overWithin(ms: number): Promise<boolean> {
    if (this.#over) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.#over), ms);
      this.#whenOver.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  #check(): void {
    if (this.#lost !== undefined) throw this.#lost;
    if (this.#over) throw new Error('the transaction has ended; await its statements inside the callback');
  }

  #guard(sql: TransactionSql): TransactionSql {
    const unsafe = (...args: UnsafeArgs) =>
      deferredQuery(async (values) => {
        this.#check();
        try {
          return await runUnsafe(sql, args, values);
        } catch (error) {
          if (connectionLost(error)) this.#lost ??= error;
          throw error;
        }
      });
    const savepoint = async <T>(...args: [TransactionCallback<T>] | [string, TransactionCallback<T>]) => {
      this.#check();
      const [name, callback] = args.length === 1 ? [undefined, args[0]] : args;
      const inner = (savepointSql: TransactionSql) => this.run(savepointSql, callback);
      return name === undefined ? sql.savepoint(inner) : sql.savepoint(name, inner);
    };
    return new Proxy(sql, {
      get: (target, key, receiver) =>
        key === 'unsafe' ? unsafe : key === 'savepoint' ? savepoint : Reflect.get(target, key, receiver),
    });
  }
}
