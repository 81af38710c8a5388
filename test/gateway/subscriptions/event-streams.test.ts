import { describe, expect, it } from 'vitest';
import type { EventStream, ExecutionResult } from '#gateway/execution/executor.js';
import { queueEvents } from '#gateway/pipeline/event-queue.js';
import { createSharedSubscriptions } from '#gateway/pipeline/shared-subscriptions.js';

/** A subgraph's events as the executor yields them: pushed by the test, each `{ data: n }`; `ended` says whether return() was called. */
function source() {
  const waiting: ((result: IteratorResult<ExecutionResult>) => void)[] = [];
  const queued: IteratorResult<ExecutionResult>[] = [];
  const state = { returned: 0, pulled: 0 };
  const stream: EventStream = {
    next: () => {
      state.pulled++;
      const item = queued.shift();
      return item ? Promise.resolve(item) : new Promise((resolve) => waiting.push(resolve));
    },
    return: async () => {
      state.returned++;
      for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => stream,
  };
  const emit = (item: IteratorResult<ExecutionResult>) => {
    const resolve = waiting.shift();
    if (resolve) resolve(item);
    else queued.push(item);
  };
  return {
    stream,
    state,
    event: (n: number) => emit({ value: { status: 200, data: String(n), errors: [] }, done: false }),
    end: () => emit({ value: undefined, done: true }),
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('queueEvents: a slow reader holds at most `size` events', () => {
  it('passes events through in order, and ends with the source', async () => {
    const upstream = source();
    const queued = queueEvents(upstream.stream, { size: 3, onOverflow: () => {} });
    upstream.event(1);
    upstream.event(2);
    upstream.end();
    const seen: string[] = [];
    for await (const event of queued) seen.push(event.data!);
    expect(seen).toEqual(['1', '2']);
  });

  it('stops the source and reports once when one more arrives than may wait', async () => {
    const upstream = source();
    let overflows = 0;
    const queued = queueEvents(upstream.stream, { size: 2, onOverflow: () => overflows++ });
    for (let n = 1; n <= 5; n++) upstream.event(n);
    await tick();
    expect(overflows).toBe(1);
    expect(upstream.state.returned).toBe(1);
    expect(await queued.next()).toEqual({ value: undefined, done: true });
  });

  it('return() stops the source at once, even while waiting for an event', async () => {
    const upstream = source();
    const queued = queueEvents(upstream.stream, { size: 2, onOverflow: () => {} });
    const pending = queued.next();
    await queued.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(upstream.state.returned).toBe(1);
  });
});

describe('shared subscriptions: identical ones subscribe once', () => {
  it('starts one upstream for the same key, gives every event to each client, and ends it when the last leaves', async () => {
    const shared = createSharedSubscriptions();
    const owner = {};
    const upstream = source();
    let starts = 0;
    const start = async () => {
      starts++;
      return upstream.stream;
    };
    const [a, b] = (await Promise.all([shared.join(owner, 'k', start), shared.join(owner, 'k', start)])) as [EventStream, EventStream];
    expect(starts).toBe(1);
    expect(shared.upstream).toBe(1);
    upstream.event(1);
    expect((await a.next()).value?.data).toBe('1');
    expect((await b.next()).value?.data).toBe('1');
    await a.return!();
    expect(upstream.state.returned).toBe(0);
    upstream.event(2);
    expect((await b.next()).value?.data).toBe('2');
    await b.return!();
    expect(upstream.state.returned).toBe(1);
    await tick();
    expect(shared.upstream).toBe(0);
  });

  it('keeps different keys and different owners (supergraphs) apart', async () => {
    const shared = createSharedSubscriptions();
    let starts = 0;
    const start = async () => {
      starts++;
      return source().stream;
    };
    const owner = {};
    await shared.join(owner, 'a', start);
    await shared.join(owner, 'b', start);
    await shared.join({}, 'a', start);
    expect(starts).toBe(3);
  });

  it('shares no refusal: a subscription that could not start is tried again by the next client', async () => {
    const shared = createSharedSubscriptions();
    let starts = 0;
    const refused: ExecutionResult = { status: 400, errors: [] };
    const start = async () => {
      starts++;
      return refused;
    };
    expect(await shared.join({}, 'k', start)).toBe(refused);
    const owner = {};
    await shared.join(owner, 'k', start);
    await shared.join(owner, 'k', start);
    expect(starts).toBe(3);
  });

  it('ends every client when the upstream ends, and a new client then starts a new one', async () => {
    const shared = createSharedSubscriptions();
    const owner = {};
    const first = source();
    const a = (await shared.join(owner, 'k', async () => first.stream)) as EventStream;
    first.end();
    expect(await a.next()).toEqual({ value: undefined, done: true });
    await tick();
    const second = source();
    const b = (await shared.join(owner, 'k', async () => second.stream)) as EventStream;
    second.event(7);
    expect((await b.next()).value?.data).toBe('7');
  });
});
