/**
 * The events of one subscription, pushed by a client library's callbacks
 * (graphql-ws's and graphql-sse's sinks) and pulled by the executor as an
 * async iterator. Not an async generator: a generator's `return()` waits
 * behind a pending `next()`, so a subscription with no events could never
 * be ended; here `return()` ends a waiting `next()` at once and unsubscribes.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly pending: T[] = [];
  private waiting: { resolve(result: IteratorResult<T>): void; reject(error: unknown): void } | undefined;
  private failure: { error: unknown } | undefined;
  private ended = false;
  /** Unsubscribes at the source; set by the transport once it has subscribed. */
  private stop: (() => void) | undefined;

  /**
   * @param maxPending events kept for a consumer that falls behind; past it
   * the subscription fails with `overflow()`'s error rather than hold memory without bound.
   */
  constructor(
    private readonly maxPending: number,
    private readonly overflow: () => unknown,
  ) {}

  /** Whether the subscription is over: ended, failed, or returned by its consumer. */
  get closed(): boolean {
    return this.ended || this.failure !== undefined;
  }

  /** How to unsubscribe at the source (idempotent); called at once if the subscription is already over. */
  onStop(stop: () => void): void {
    if (this.closed) stop();
    else this.stop = stop;
  }

  push(value: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value, done: false });
      return;
    }
    if (this.pending.length >= this.maxPending) {
      const stop = this.stop;
      this.fail(this.overflow());
      stop?.();
      return;
    }
    this.pending.push(value);
  }

  /** The source ended: the events still pending are read first. */
  end(): void {
    if (this.closed) return;
    this.ended = true;
    this.stop = undefined;
    this.settleWaiting();
  }

  /** The source failed: `next()` throws `error` once the events pending are read. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    this.stop = undefined;
    this.settleWaiting();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.pending.length > 0) return Promise.resolve({ value: this.pending.shift()!, done: false });
    if (this.failure) {
      const { error } = this.failure;
      // Thrown once; after that the iterator is done, as a generator's would be.
      this.failure = undefined;
      this.ended = true;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** The consumer leaves: unsubscribes at the source, and a waiting `next()` is done. */
  return(): Promise<IteratorResult<T>> {
    this.pending.length = 0;
    this.failure = undefined;
    this.ended = true;
    this.runStop();
    this.settleWaiting();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private runStop(): void {
    const stop = this.stop;
    this.stop = undefined;
    stop?.();
  }

  private settleWaiting(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    this.waiting = undefined;
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      this.ended = true;
      waiting.reject(error);
    } else waiting.resolve({ value: undefined, done: true });
  }
}
