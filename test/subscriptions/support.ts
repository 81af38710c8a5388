import { createClient as createWsClient, type Client as WsClient, type ClientOptions } from 'graphql-ws';
import { createClient as createSseClient, type Client as SseClient } from 'graphql-sse';
import WebSocket from 'ws';

/** The gateway's graphql-ws address for its HTTP one. */
export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

/** A graphql-ws client as a Node frontend makes one, without retries unless asked: a test sees every close. */
export function wsClient(httpUrl: string, options: Partial<ClientOptions> = {}): WsClient {
  return createWsClient({ url: wsUrl(httpUrl), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...options });
}

/** A graphql-sse client in distinct connections mode (its default without `singleConnection`). */
export function sseClient(httpUrl: string, headers: Record<string, string> = {}): SseClient {
  return createSseClient({ url: httpUrl, retryAttempts: 0, headers });
}

export type Collected<T = Record<string, unknown>> = {
  results: T[];
  /** Resolves with the error or completion that ended the operation. */
  ended: Promise<{ error?: unknown }>;
  /** Resolves once `count` results have arrived. */
  received(count: number, timeoutMs?: number): Promise<T[]>;
  dispose(): void;
};

/** Subscribes with a graphql-ws or graphql-sse client and collects what arrives. */
export function collect<T = Record<string, unknown>>(
  client: WsClient | SseClient,
  payload: { query: string; variables?: Record<string, unknown>; operationName?: string },
): Collected<T> {
  const results: T[] = [];
  const waiters: (() => void)[] = [];
  let end!: (outcome: { error?: unknown }) => void;
  const ended = new Promise<{ error?: unknown }>((resolve) => (end = resolve));
  const dispose = client.subscribe<T>(payload as never, {
    next: (value) => {
      results.push(value as T);
      for (const waiter of waiters.splice(0)) waiter();
    },
    error: (error) => end({ error }),
    complete: () => end({}),
  });
  return {
    results,
    ended,
    dispose,
    async received(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (results.length < count) {
        if (Date.now() > deadline) throw new Error(`Expected ${count} results, got ${results.length}: ${JSON.stringify(results)}`);
        await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), new Promise((resolve) => setTimeout(resolve, 100))]);
      }
      return results.slice(0, count);
    },
  };
}

/** A raw WebSocket to the gateway, for what no client library would send: the close code and reason it ends with. */
export function rawSocket(httpUrl: string, options: WebSocket.ClientOptions = {}, protocol = 'graphql-transport-ws') {
  const socket = new WebSocket(wsUrl(httpUrl), protocol, options);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  return { socket, opened, closed, messages, send: (message: unknown) => socket.send(JSON.stringify(message)) };
}

/** The HTTP status a WebSocket upgrade was refused with. */
export function refusedUpgrade(httpUrl: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(httpUrl), 'graphql-transport-ws', options);
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => reject(new Error('The upgrade was accepted.')));
    socket.once('error', () => {});
  });
}
