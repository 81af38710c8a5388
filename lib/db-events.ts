import { sql, type SQL } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { databaseListen, type Database } from './db.js';

/**
 * Events between processes through the database's LISTEN/NOTIFY: a review
 * written by any replica of a subgraph reaches the subscribers of every
 * replica. A payload names what changed (ids, keys), no more: subscribers load
 * the rest through their loaders, and Postgres caps payloads at 8000 bytes.
 */
export type EventChannel<TEvent> = {
  readonly name: string;
  /**
   * Sends `event` to every process listening. Inside a transaction (`tx`) it is
   * sent when, and only if, the transaction commits; on `db`, at once.
   */
  publish(db: Executes, event: TEvent): Promise<void>;
  /**
   * The events from now on that pass `filter`, until `return()`. Resolves once
   * this process listens, so nothing published after that is missed. One LISTEN
   * per process and channel, however many subscribers: each event is fanned out here.
   */
  subscribe(db: Database, filter?: (event: TEvent) => boolean): Promise<AsyncIterableIterator<TEvent>>;
};

/** A database or a transaction's handle: what runs a statement. */
type Executes = { execute(query: SQL): PromiseLike<unknown> };

/** Events a subscriber may have waiting before it is ended: one that falls this far behind would only hold memory. */
export const MAX_QUEUED_EVENTS = 1_000;

/**
 * A channel of JSON events; `parse` checks a payload's shape (another version
 * of the subgraph may publish on it) and returns undefined for one it does not know.
 */
export function eventChannel<TEvent>(name: string, parse: (payload: unknown) => TEvent | undefined): EventChannel<TEvent> {
  const fanouts = new WeakMap<Database, Promise<Set<(event: TEvent) => void>>>();

  /** This process's one listener on the channel, and the subscribers it hands each event to. */
  function fanoutOf(db: Database): Promise<Set<(event: TEvent) => void>> {
    let fanout = fanouts.get(db);
    if (!fanout) {
      const subscribers = new Set<(event: TEvent) => void>();
      // Listens for as long as the database is open: a channel costs nothing while quiet.
      fanout = databaseListen(db)(name, (payload) => {
        const event = decode(payload, parse);
        if (event !== undefined) for (const subscriber of subscribers) subscriber(event);
      }).then(() => subscribers);
      fanout.catch(() => fanouts.delete(db));
      fanouts.set(db, fanout);
    }
    return fanout;
  }

  return {
    name,
    async publish(db, event) {
      await db.execute(sql`select pg_notify(${name}, ${JSON.stringify(event)})`);
    },
    async subscribe(db, filter) {
      const subscribers = await fanoutOf(db);
      const queue = new EventQueue<TEvent>(() => subscribers.delete(push));
      const push = (event: TEvent) => {
        if (!filter || filter(event)) queue.push(event);
      };
      subscribers.add(push);
      return queue;
    },
  };
}

function decode<TEvent>(payload: string, parse: (payload: unknown) => TEvent | undefined): TEvent | undefined {
  try {
    return parse(JSON.parse(payload));
  } catch {
    return undefined;
  }
}

/** One subscriber's events, waiting for it to ask; bounded (MAX_QUEUED_EVENTS). */
class EventQueue<TEvent> implements AsyncIterableIterator<TEvent> {
  readonly #events: TEvent[] = [];
  #waiting: ((result: IteratorResult<TEvent>) => void) | undefined;
  #failed: Error | undefined;
  #done = false;
  readonly #leave: () => void;

  constructor(leave: () => void) {
    this.#leave = leave;
  }

  push(event: TEvent): void {
    if (this.#done || this.#failed) return;
    if (this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting({ value: event, done: false });
    } else if (this.#events.length >= MAX_QUEUED_EVENTS) {
      this.#leave();
      this.#events.length = 0;
      this.#failed = new GraphQLError(`The subscriber fell ${MAX_QUEUED_EVENTS} events behind and was ended; subscribe again.`, {
        extensions: { code: 'SUBSCRIPTION_BEHIND' },
      });
    } else {
      this.#events.push(event);
    }
  }

  next(): Promise<IteratorResult<TEvent>> {
    if (this.#events.length > 0) return Promise.resolve({ value: this.#events.shift()!, done: false });
    if (this.#failed) {
      const failed = this.#failed;
      this.#done = true;
      this.#failed = undefined;
      return Promise.reject(failed);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  return(): Promise<IteratorResult<TEvent>> {
    this.#done = true;
    this.#leave();
    this.#events.length = 0;
    this.#waiting?.({ value: undefined, done: true });
    this.#waiting = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<TEvent> {
    return this;
  }
}
