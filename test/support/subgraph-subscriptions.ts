import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client of a subgraph's /graphql, as the gateway connects: its token in connection_init. */
export function subgraphClient(httpUrl: string, token: string | undefined, onClosed?: (code: number) => void): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: token === undefined ? {} : { 'x-junction-gateway': token },
    on: onClosed ? { closed: (event) => onClosed((event as { code: number }).code) } : {},
    // Errors reach the test through the sinks; nothing to print.
    onNonLazyError: () => {},
  });
}

type Result = { data?: Record<string, unknown> | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };

/** One subscription's events as they come, for a test to wait on. */
export class Events {
  readonly received: Result[] = [];
  ended: 'complete' | { error: unknown } | undefined;
  #wake: (() => void) | undefined;
  readonly unsubscribe: () => void;

  constructor(client: Client, query: string, variables: Record<string, unknown> = {}) {
    this.unsubscribe = client.subscribe<Record<string, unknown>>(
      { query, variables },
      {
        next: (result) => this.#note(() => this.received.push(result as Result)),
        error: (error) => this.#note(() => (this.ended = { error })),
        complete: () => this.#note(() => (this.ended ??= 'complete')),
      },
    );
  }

  #note(change: () => void): void {
    change();
    this.#wake?.();
  }

  /** Waits until `count` events arrived (or the subscription ended, or `ms` passed); returns what arrived. */
  async until(count: number, ms = 5_000): Promise<Result[]> {
    const deadline = Date.now() + ms;
    while (this.received.length < count && !this.ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(50, Math.max(0, deadline - Date.now())));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.received.slice(0, count);
  }

  /** Waits for the end of the subscription (or `ms`). */
  async end(ms = 5_000): Promise<Events['ended']> {
    const deadline = Date.now() + ms;
    while (!this.ended && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return this.ended;
  }
}

/**
 * Calls `write` until `events` hears something: the server starts listening
 * when it runs the subscription, which no message of the protocol announces.
 * Then drops what was heard, so the test starts from a live subscription.
 */
export async function whenLive(events: Events, write: () => Promise<unknown>, attempts = 20): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    await write();
    if ((await events.until(1, 250)).length > 0) {
      // Whatever else the earlier writes sent is on its way: let it land, then forget it.
      await events.until(attempts, 250);
      events.received.length = 0;
      return;
    }
  }
  throw new Error(`The subscription heard nothing after ${attempts} writes.`);
}
