/**
 * The subscription benchmark's clients, in a process of their own (forked by
 * bench/subscriptions.ts, which talks to it over IPC), so the gateway's memory
 * and CPU are only the gateway's. Speaks graphql-transport-ws over `ws`
 * directly: graphql-ws's client would cost more here than the gateway does at
 * 10,000 subscriptions.
 *
 * It also sends each measured mutation itself, so that a latency is two
 * readings of one clock: from sending createReview through the gateway to the
 * event, with the review's body, reaching each subscriber expected to get it.
 */
import WebSocket from 'ws';

export type Subscriber = { query: string; variables?: Record<string, unknown> };

export type LoadRequest =
  | { type: 'open'; url: string; subscribers: Subscriber[]; perConnection: number }
  | { type: 'mutate'; url: string; token: string; upc: string; body: string; expect: number[]; timeoutMs: number }
  | { type: 'close' };

export type MutationResult = {
  /** Milliseconds from sending the mutation to each expected subscriber's event, sorted; missing ones left out. */
  latenciesMs: number[];
  missing: number;
  mutationErrors?: string;
};

export type LoadReply =
  | { type: 'opened'; ms: number; connections: number }
  | { type: 'mutated'; result: MutationResult }
  | { type: 'closed'; ms: number }
  | { type: 'failed'; message: string };

type Connection = { socket: WebSocket; first: number; count: number };

let connections: Connection[] = [];
/** Errors and unexpected closes: any is a failed run. */
const problems: string[] = [];
/** The mutation waited for: the body its event carries, and when each expected subscriber got it. */
let pending: { body: string; sentAt: number; expected: Set<number>; at: Map<number, number>; done(): void } | undefined;

function onEvent(subscriber: number, data: string): void {
  if (!pending || !pending.expected.has(subscriber) || pending.at.has(subscriber)) return;
  // Cheap test first: most events at 10,000 subscribers are the one awaited.
  if (!data.includes(pending.body)) return;
  pending.at.set(subscriber, performance.now());
  if (pending.at.size === pending.expected.size) pending.done();
}

function connect(url: string, first: number, subscribers: Subscriber[]): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const connection: Connection = { socket, first, count: subscribers.length };
    socket.once('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    socket.on('message', (raw) => {
      const text = String(raw);
      if (text.startsWith('{"type":"next"') || text.includes('"type":"next"')) {
        const id = /"id":"(\d+)"/.exec(text)?.[1];
        if (id !== undefined) onEvent(first + Number(id), text);
        return;
      }
      const message = JSON.parse(text) as { type: string; id?: string; payload?: unknown };
      if (message.type === 'connection_ack') {
        subscribers.forEach((subscriber, index) => socket.send(JSON.stringify({ id: String(index), type: 'subscribe', payload: subscriber })));
        resolve(connection);
      } else if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      else if (message.type === 'error') problems.push(`subscription ${first + Number(message.id)}: ${JSON.stringify(message.payload).slice(0, 500)}`);
      else if (message.type === 'complete') problems.push(`subscription ${first + Number(message.id)} completed by the gateway`);
    });
    socket.on('close', (code, reason) => {
      if (connections.includes(connection)) problems.push(`connection closed by the gateway: ${code} ${String(reason)}`);
    });
  });
}

async function open(url: string, subscribers: Subscriber[], perConnection: number): Promise<LoadReply> {
  const startedAt = performance.now();
  const opening: Promise<Connection>[] = [];
  for (let first = 0; first < subscribers.length; first += perConnection) {
    opening.push(connect(url, first, subscribers.slice(first, first + perConnection)));
  }
  connections = await Promise.all(opening);
  return { type: 'opened', ms: performance.now() - startedAt, connections: connections.length };
}

async function mutate(request: Extract<LoadRequest, { type: 'mutate' }>): Promise<LoadReply> {
  const expected = new Set(request.expect);
  const arrived = new Promise<void>((resolve) => {
    pending = { body: request.body, sentAt: performance.now(), expected, at: new Map(), done: resolve };
  });
  const current = pending!;
  const response = await fetch(request.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${request.token}` },
    body: JSON.stringify({
      query: 'mutation($input: CreateReviewInput!) { createReview(input: $input) { id } }',
      variables: { input: { upc: request.upc, rating: 5, body: request.body } },
    }),
  });
  const answer = (await response.json()) as { errors?: unknown[] };
  let timer: NodeJS.Timeout | undefined;
  if (!answer.errors) await Promise.race([arrived, new Promise((resolve) => (timer = setTimeout(resolve, request.timeoutMs)))]);
  clearTimeout(timer);
  pending = undefined;
  const latenciesMs = [...current.at.values()].map((at) => at - current.sentAt).sort((a, b) => a - b);
  return {
    type: 'mutated',
    result: {
      latenciesMs,
      missing: expected.size - current.at.size,
      ...(answer.errors ? { mutationErrors: JSON.stringify(answer.errors).slice(0, 1000) } : {}),
    },
  };
}

/** Completes every subscription, as a client that unsubscribes does, then closes each connection normally. */
async function close(): Promise<LoadReply> {
  const startedAt = performance.now();
  const closing = connections;
  connections = [];
  await Promise.all(
    closing.map(
      ({ socket, count }) =>
        new Promise<void>((resolve) => {
          if (socket.readyState !== WebSocket.OPEN) return resolve();
          socket.once('close', () => resolve());
          for (let id = 0; id < count; id++) socket.send(JSON.stringify({ id: String(id), type: 'complete' }));
          socket.close(1000, 'Normal Closure');
        }),
    ),
  );
  return { type: 'closed', ms: performance.now() - startedAt };
}

process.on('message', (request: LoadRequest) => {
  const handled =
    request.type === 'open' ? open(request.url, request.subscribers, request.perConnection) : request.type === 'mutate' ? mutate(request) : close();
  handled.then(
    (reply) => {
      if (problems.length > 0) process.send!({ type: 'failed', message: problems.splice(0, 20).join('\n') } satisfies LoadReply);
      else process.send!(reply);
    },
    (error: Error) => process.send!({ type: 'failed', message: error.message } satisfies LoadReply),
  );
});
process.on('disconnect', () => process.exit(0));
