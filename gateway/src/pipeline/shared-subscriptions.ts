import type { EventStream, ExecutionResult } from '#gateway/execution/executor.js';

/**
 * Identical subscriptions share one: the same operation, variables and
 * caller (what the subgraphs are told: identity, forwarded headers) on the
 * same supergraph subscribe once at the subgraph, and each event's plan runs
 * once, whatever the number of clients; each client still gets the event
 * through its own stages (authorization) and its own queue. Apollo Router
 * deduplicates subscriptions the same way. A client that joins later gets
 * the events from then on, as it would from a subscription of its own.
 */
export type SharedSubscriptions = {
  /** The shared stream for `key` on `owner` (a served executor), started with `start` when there is none. */
  join(owner: object, key: string, start: () => Promise<ExecutionResult | EventStream>): Promise<ExecutionResult | EventStream>;
  /** Subscriptions open at the subgraphs (shared ones once). */
  readonly upstream: number;
};

type Shared = {
  consumers: Set<Consumer>;
  /** Set once started: undefined while starting. */
  source?: EventStream;
};

type Consumer = {
  push(result: IteratorResult<ExecutionResult> | { error: unknown }): void;
};

export function createSharedSubscriptions(): SharedSubscriptions {
  const byOwner = new WeakMap<object, Map<string, Promise<Shared | ExecutionResult>>>();
  let upstream = 0;

  async function join(owner: object, key: string, start: () => Promise<ExecutionResult | EventStream>): Promise<ExecutionResult | EventStream> {
    let entries = byOwner.get(owner);
    if (!entries) byOwner.set(owner, (entries = new Map()));
    let entry = entries.get(key);
    if (!entry) {
      const starting = start().then(
        (started): Shared | ExecutionResult => {
          if (!(Symbol.asyncIterator in started)) {
            // It could not start: nobody shares a refusal, the next one tries again.
            entries.delete(key);
            return started;
          }
          const shared: Shared = { consumers: new Set(), source: started };
          upstream++;
          void pump(shared, () => {
            upstream--;
            if (entries.get(key) === starting) entries.delete(key);
          });
          return shared;
        },
        (error: unknown) => {
          entries.delete(key);
          throw error;
        },
      );
      entries.set(key, starting);
      entry = starting;
    }
    const shared = await entry;
    if (!('consumers' in shared)) return shared;
    return consumerOf(shared, () => {
      if (shared.consumers.size === 0 && entries.get(key) === entry) {
        // The last client left: the subscription ends at the subgraph.
        entries.delete(key);
        void shared.source?.return?.();
      }
    });
  }

  /** Reads the source as it yields and gives each event to every client of it. */
  async function pump(shared: Shared, ended: () => void): Promise<void> {
    const source = shared.source!;
    try {
      for (;;) {
        const next = await source.next();
        for (const consumer of [...shared.consumers]) consumer.push(next);
        if (next.done) break;
        // Nobody left (each return() also stops the source): stop reading.
        if (shared.consumers.size === 0) break;
      }
    } catch (error) {
      for (const consumer of [...shared.consumers]) consumer.push({ error });
    } finally {
      ended();
    }
  }

  return {
    join,
    get upstream() {
      return upstream;
    },
  };
}

/** One client's view of a shared stream: what arrives while it waits, in order. */
function consumerOf(shared: Shared, left: () => void): EventStream {
  const waiting: (IteratorResult<ExecutionResult> | { error: unknown })[] = [];
  let reader: { resolve(result: IteratorResult<ExecutionResult>): void; reject(error: unknown): void } | undefined;
  let done = false;
  const leave = () => {
    if (!shared.consumers.delete(consumer)) return;
    left();
  };
  const deliver = () => {
    if (!reader || waiting.length === 0) return;
    const item = waiting.shift()!;
    const { resolve, reject } = reader;
    reader = undefined;
    if ('error' in item) {
      done = true;
      leave();
      reject(item.error);
    } else {
      if (item.done) {
        done = true;
        leave();
      }
      resolve(item);
    }
  };
  const consumer: Consumer = {
    push(result) {
      waiting.push(result);
      deliver();
    },
  };
  shared.consumers.add(consumer);
  const stream: EventStream = {
    next() {
      if (done && waiting.length === 0) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        reader = { resolve, reject };
        deliver();
      });
    },
    async return() {
      done = true;
      waiting.length = 0;
      leave();
      reader?.resolve({ value: undefined, done: true });
      reader = undefined;
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}
