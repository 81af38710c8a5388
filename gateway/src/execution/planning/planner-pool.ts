import { Worker } from 'node:worker_threads';
import type { PlanReply, PlanRequest } from './build-planner.js';

export type PlannerPoolOptions = {
  /** The supergraph every thread plans for (as the executor reads it). */
  supergraphSdl: string;
  /** Planning threads; at least 1. */
  threads: number;
  /** A plan not made within this is refused, and its thread replaced: planning cannot be interrupted otherwise. */
  timeoutMs: number;
  /** Told each time a thread is replaced because a plan took too long. */
  onTimeout?: (() => void) | undefined;
};

export type PlannerPool = {
  plan(request: PlanRequest): Promise<PlanReply>;
  /** Stops every thread; plans still waiting are refused. */
  close(): Promise<void>;
};

type Job = { request: PlanRequest; resolve: (reply: PlanReply) => void };

/** One planning thread, planning one operation at a time. */
class PlanningThread {
  readonly worker: Worker;
  /** Resolves once the thread has built its planner. */
  readonly ready: Promise<void>;
  /** Whether it built its planner; one that failed to start is not started again. */
  started = false;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;

  constructor(supergraphSdl: string) {
    this.worker = new Worker(new URL('./planner-worker-boot.js', import.meta.url), { workerData: { supergraphSdl } });
    // A thread never keeps the process alive: the gateway's server does.
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: { ready?: boolean }) => {
        if (!message.ready) return;
        this.worker.off('message', onMessage);
        this.worker.off('error', reject);
        resolve();
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
    });
  }
}

/**
 * Query planning off the event loop: Apollo's planner takes 1-100 ms for an
 * ordinary new operation and can take seconds for a crafted or very large
 * one, during which a single-threaded gateway answers nobody. Here it runs in
 * worker threads, each with its own planner for the supergraph, one operation
 * at a time, with a time budget: a thread still planning after `timeoutMs` is
 * terminated (the only way to stop it) and replaced, and that operation is
 * refused. Plans already made are cached by the executor, so a thread is
 * needed only for an operation the gateway has not seen.
 */
export function createPlannerPool(options: PlannerPoolOptions): PlannerPool {
  const threads: PlanningThread[] = [];
  const queue: Job[] = [];
  let closed = false;

  function start(): PlanningThread {
    const thread = new PlanningThread(options.supergraphSdl);
    thread.worker.on('message', (message: { id?: number; reply?: PlanReply }) => {
      if (message.reply && thread.job) finish(thread, message.reply);
    });
    // A thread that dies (out of memory, a bug in the planner) fails its job and is replaced.
    thread.worker.on('error', (error: Error) => {
      if (thread.started) replace(thread, { ok: false, kind: 'planner', message: error.message });
    });
    thread.ready.then(
      () => {
        thread.started = true;
        next(thread);
      },
      (error: Error) => failedToStart(thread, error),
    );
    threads.push(thread);
    return thread;
  }

  function next(thread: PlanningThread): void {
    if (closed || thread.job) return;
    const job = queue.shift();
    if (!job) return;
    thread.job = job;
    thread.timer = setTimeout(() => {
      options.onTimeout?.();
      replace(thread, { ok: false, kind: 'timeout', message: `Planning took longer than ${options.timeoutMs} ms.` });
    }, options.timeoutMs);
    thread.worker.postMessage({ id: 0, request: job.request });
  }

  function finish(thread: PlanningThread, reply: PlanReply): void {
    clearTimeout(thread.timer);
    const job = thread.job;
    thread.job = undefined;
    job?.resolve(reply);
    next(thread);
  }

  /** A thread that cannot even load the planner will not do better started again: its siblings carry on, if any. */
  function failedToStart(thread: PlanningThread, error: Error): void {
    threads.splice(threads.indexOf(thread), 1);
    void thread.worker.terminate();
    if (threads.length > 0) return;
    for (const job of queue.splice(0)) job.resolve({ ok: false, kind: 'planner', message: `No planning thread started: ${error.message}` });
  }

  function replace(thread: PlanningThread, reply: PlanReply): void {
    const index = threads.indexOf(thread);
    if (index < 0) return;
    threads.splice(index, 1);
    clearTimeout(thread.timer);
    thread.job?.resolve(reply);
    thread.job = undefined;
    void thread.worker.terminate();
    if (!closed) start();
  }

  // Started with the first operation to plan: an idle gateway, or one whose plans are all cached, holds no thread.
  let starting = false;

  return {
    plan(request) {
      if (!starting) {
        starting = true;
        for (let index = 0; index < Math.max(1, options.threads); index++) start();
      }
      if (closed || threads.length === 0) return Promise.resolve({ ok: false, kind: 'planner', message: 'No planning thread is running.' });
      return new Promise((resolve) => {
        queue.push({ request, resolve });
        const idle = threads.find((thread) => thread.started && !thread.job);
        if (idle) next(idle);
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.resolve({ ok: false, kind: 'planner', message: 'The planner is closed.' });
      await Promise.all(threads.splice(0).map((thread) => {
        clearTimeout(thread.timer);
        thread.job?.resolve({ ok: false, kind: 'planner', message: 'The planner is closed.' });
        return thread.worker.terminate();
      }));
    },
  };
}
