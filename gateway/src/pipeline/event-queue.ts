/**
 * A subscription's events between the subgraph that produces them and the
 * client that reads them. The source is read as fast as it yields, so events
 * never wait in the subgraph connection's own (unbounded) buffers; they wait
 * here, at most `size` of them. A client that lets more pile up is too slow
 * for its subscription: the source is stopped and `onOverflow` tells the
 * protocol, which closes it with its own clear signal (a WebSocket close
 * code, a last error event). Memory per subscription stays bounded whatever
 * the client does.
 */
/**
 * How long a consumer ended for falling behind has to read what was already
 * written and the protocol's last word (a close frame, a last event) before its
 * connection is cut: one that never reads again must not hold a socket, its
 * buffers and a place among the active subscriptions until it goes.
 */
export const SLOW_CONSUMER_GRACE_MS = 5_000;

export type EventQueueOptions = {
  /** Events that may wait for the client at once. */
  size: number;
  /** Called once, when one more event arrives than may wait. */
  onOverflow(): void;
};

export function queueEvents<T>(source: AsyncIterator<T>, { size, onOverflow }: EventQueueOptions): AsyncIterableIterator<T> {
  const waiting: T[] = [];
  let reader: ((result: IteratorResult<T>) => void) | undefined;
  let failure: ((error: unknown) => void) | undefined;
  let done = false;
  let error: { error: unknown } | undefined;

  const settle = (): void => {
    if (!reader) return;
    if (waiting.length > 0) {
      const resolve = reader;
      reader = failure = undefined;
      resolve({ value: waiting.shift()!, done: false });
    } else if (error) {
      const reject = failure!;
      reader = failure = undefined;
      reject(error.error);
    } else if (done) {
      const resolve = reader;
      reader = failure = undefined;
      resolve({ value: undefined, done: true });
    }
  };

  const stop = (): void => {
    if (done) return;
    done = true;
    void Promise.resolve(source.return?.()).catch(() => {});
  };

  void (async () => {
    try {
      while (!done) {
        const next = await source.next();
        if (done) return;
        if (next.done) {
          done = true;
          break;
        }
        if (waiting.length >= size) {
          waiting.length = 0;
          stop();
          onOverflow();
          break;
        }
        waiting.push(next.value);
        settle();
      }
    } catch (thrown) {
      if (!done) error = { error: thrown };
      done = true;
    }
    settle();
  })();

  const iterator: AsyncIterableIterator<T> = {
    next: () =>
      new Promise<IteratorResult<T>>((resolve, reject) => {
        reader = resolve;
        failure = reject;
        settle();
      }),
    return: async () => {
      stop();
      waiting.length = 0;
      settle();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
