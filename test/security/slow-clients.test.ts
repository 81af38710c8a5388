import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '#lib/env.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

/**
 * Slow and greedy clients against `NODE_ENV=production junction gateway`, as
 * an attacker's raw sockets: headers or a body sent a byte at a time, idle
 * kept-alive connections, too many connections from one address. Each is cut
 * within its setting while other clients are served. The timeouts are set to
 * 1 s here so the attacks end quickly; their defaults are checked last.
 * Junction's own supergraph, queried for `{ __typename }` only: no subgraph runs.
 */
const TIMEOUT_MS = 1_000;
/** Node checks the header timeout every tenth of it here (lib/http.ts's checkingIntervalFor); the rest is a busy machine's. */
const SLACK_MS = 700;
/** Node closes an idle kept-alive socket a second after the timeout it advertises (HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER). */
const NODE_KEEP_ALIVE_BUFFER_MS = 1_000;
const NODE_HEADERS_TIMEOUT_ANSWER = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';
const TYPENAME = JSON.stringify({ query: '{ __typename }' });

/** Short timeouts and no cap on connections: the timeouts alone must hold (rate limits are the persisted-and-rate-limits suite's). */
let gateway: GatewayProcess;
/** Every default but a cap of 5 connections per address. */
let capped: GatewayProcess;

beforeAll(async () => {
  const sdl = await readFile('supergraph.graphql', 'utf8');
  [gateway, capped] = await Promise.all([
    startGatewayProcess(sdl, {
      HEADERS_TIMEOUT_MS: String(TIMEOUT_MS),
      BODY_TIMEOUT_MS: String(TIMEOUT_MS),
      KEEP_ALIVE_TIMEOUT_MS: String(TIMEOUT_MS),
      MAX_CONNECTIONS_PER_ADDRESS: '0',
      RATE_LIMIT: 'false',
    }),
    startGatewayProcess(sdl, { MAX_CONNECTIONS_PER_ADDRESS: '5' }),
  ]);
  // A fresh gateway's first query takes ~0.75 s (warming up): not what the tests below measure.
  for (const { url } of [gateway, capped]) {
    const warmUp = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: TYPENAME });
    expect(warmUp.status).toBe(200);
  }
});

afterAll(async () => {
  expect(await gateway?.stop()).toBe(0);
  expect(await capped?.stop()).toBe(0);
});

type Answer = { status: number; headers: Record<string, string>; body: string };

/** A raw connection: what it received, and when it was closed (by the gateway, unless the test closes it). */
type Connection = {
  socket: Socket;
  received(): string;
  /** The next complete answer (content-length bodies only), and when it arrived. */
  answer(): Promise<Answer & { at: number }>;
  /** Resolves once the socket is closed, with the time since it was opened and all it received. */
  closed: Promise<{ afterMs: number; received: string }>;
};

function open(url: string, localAddress?: string): Promise<Connection> {
  const { hostname, port } = new URL(url);
  const opened = performance.now();
  const socket = connect({ host: hostname, port: Number(port), ...(localAddress ? { localAddress } : {}) });
  let received = '';
  let consumed = 0;
  const waiting = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    for (const check of waiting) check();
  });
  // A refused connection may be reset: that is a close like any other here.
  socket.on('error', () => {});
  const closed = new Promise<{ afterMs: number; received: string }>((resolve) =>
    socket.once('close', () => resolve({ afterMs: performance.now() - opened, received })),
  );
  const answer = () =>
    new Promise<Answer & { at: number }>((resolve, reject) => {
      const check = () => {
        const parsed = parseAnswer(received.slice(consumed));
        if (!parsed) return;
        waiting.delete(check);
        consumed += parsed.length;
        resolve({ ...parsed.answer, at: performance.now() });
      };
      waiting.add(check);
      socket.once('close', () => reject(new Error(`closed before an answer; received ${JSON.stringify(received)}`)));
      check();
    });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ socket, received: () => received, answer, closed }));
    socket.once('error', reject);
  });
}

/** The first HTTP answer in `text` once it is complete: status, headers (lower-cased names) and body. */
function parseAnswer(text: string): { answer: Answer; length: number } | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  if (text.length < end + 4 + length) return undefined;
  return {
    answer: { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4, end + 4 + length) },
    length: end + 4 + length,
  };
}

/** Writes one byte every `everyMs` until the gateway closes the socket. */
function trickle(socket: Socket, byte: string, everyMs: number): void {
  const timer = setInterval(() => {
    if (socket.writable) socket.write(byte);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

/** A POST of the request line and headers only; its body of `contentLength` bytes is the caller's to send. */
function postHead(contentLength: number, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ 'content-type': 'application/json', accept: 'application/json', ...headers, 'content-length': String(contentLength) });
  return ['POST /graphql HTTP/1.1', 'Host: gateway', ...lines.map(([name, value]) => `${name}: ${value}`), '', ''].join('\r\n');
}

const typenameRequest = postHead(Buffer.byteLength(TYPENAME)) + TYPENAME;

async function trickleHeaders(url: string) {
  const connection = await open(url);
  connection.socket.write('POST /graphql HTTP/1.1\r\nHost: gateway\r\nX-Slow: ');
  trickle(connection.socket, 'a', 200);
  return connection;
}

async function trickleBody(url: string, requestId?: string) {
  const connection = await open(url);
  connection.socket.write(postHead(100, requestId ? { 'x-request-id': requestId } : {}));
  trickle(connection.socket, ' ', 200);
  return connection;
}

function expectWithinTimeout(afterMs: number) {
  expect(afterMs).toBeGreaterThan(TIMEOUT_MS - 100);
  expect(afterMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
}

function expectBodyTimeout(received: string, requestId?: string) {
  const answer = parseAnswer(received)?.answer;
  expect(answer?.status).toBe(408);
  expect(answer?.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(answer?.headers.connection).toBe('close');
  const id = requestId ?? answer!.headers['x-request-id'];
  expect(answer?.body).toBe(
    JSON.stringify({ errors: [{ message: `The request body did not arrive within ${TIMEOUT_MS} ms.`, extensions: { code: 'BODY_TIMEOUT', requestId: id } }] }),
  );
}

describe('slow clients', () => {
  it('closes a connection trickling its headers within HEADERS_TIMEOUT_MS, with Node’s bare 408', async () => {
    const { afterMs, received } = await (await trickleHeaders(gateway.url)).closed;
    expect(received).toBe(NODE_HEADERS_TIMEOUT_ANSWER);
    expectWithinTimeout(afterMs);
  });

  it('answers a body trickling in a byte at a time with 408 BODY_TIMEOUT within BODY_TIMEOUT_MS, logged as a refusal, and closes', async () => {
    const { afterMs, received } = await (await trickleBody(gateway.url, 'slow-body-1')).closed;
    expectBodyTimeout(received, 'slow-body-1');
    expectWithinTimeout(afterMs);
    await gateway.running.waitFor(/"requestId":"slow-body-1".*"status":408.*"errorCodes":\["BODY_TIMEOUT"\].*"request completed"/, 5_000);
  });

  it('drops 300 slowloris sockets within the timeouts while serving another client', async () => {
    const headers = Promise.all(Array.from({ length: 150 }, () => trickleHeaders(gateway.url)));
    const bodies = Promise.all(Array.from({ length: 150 }, () => trickleBody(gateway.url)));
    const attackers = [...(await headers), ...(await bodies)];

    // 50 sequential queries spread over the attack, and past the moment all 300 are cut.
    const latencies: number[] = [];
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: TYPENAME });
      expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }

    const cut = await Promise.all(attackers.map((attacker) => attacker.closed));
    for (const { afterMs } of cut) expectWithinTimeout(afterMs);
    for (const { received } of cut.slice(0, 150)) expect(received).toBe(NODE_HEADERS_TIMEOUT_ANSWER);
    for (const { received } of cut.slice(150)) expectBodyTimeout(received);
    const p99 = latencies.sort((a, b) => a - b)[Math.ceil(latencies.length * 0.99) - 1]!;
    expect(p99).toBeLessThan(500);
  });

  it('closes an idle kept-alive connection after KEEP_ALIVE_TIMEOUT_MS', async () => {
    const connection = await open(gateway.url);
    connection.socket.write(typenameRequest);
    const answer = await connection.answer();
    expect(answer.status).toBe(200);
    expect(answer.headers['keep-alive']).toBe(`timeout=${TIMEOUT_MS / 1000}`);
    await connection.closed;
    const idleMs = performance.now() - answer.at;
    expect(idleMs).toBeGreaterThan(TIMEOUT_MS - 100);
    expect(idleMs).toBeLessThan(TIMEOUT_MS + NODE_KEEP_ALIVE_BUFFER_MS + SLACK_MS);
  });
});

describe('connections per address', () => {
  it('closes connection 6 of one address at once, unanswered, and serves the others and other addresses', async () => {
    const held = await Promise.all(Array.from({ length: 5 }, () => open(capped.url)));
    for (const connection of held) {
      connection.socket.write(typenameRequest);
      const answer = await connection.answer();
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: '{"data":{"__typename":"Query"}}' });
      // The default keep-alive with no proxy in front (TRUST_PROXY=0): Node's 5 s.
      expect(answer.headers['keep-alive']).toBe('timeout=5');
    }

    const refused = await open(capped.url);
    refused.socket.write(typenameRequest);
    const { afterMs, received } = await refused.closed;
    expect(received).toBe('');
    expect(afterMs).toBeLessThan(500);

    // Those held are still served; so is another address (all of 127.0.0.0/8 is this machine on Linux).
    held[0]!.socket.write(typenameRequest);
    expect((await held[0]!.answer()).status).toBe(200);
    const elsewhere = await open(capped.url, '127.0.0.2');
    elsewhere.socket.write(typenameRequest);
    expect((await elsewhere.answer()).status).toBe(200);
    elsewhere.socket.destroy();

    // One closed, one more is let in.
    held[4]!.socket.destroy();
    await held[4]!.closed;
    let served: number | undefined;
    for (let attempt = 0; attempt < 20 && served === undefined; attempt++) {
      const again = await open(capped.url);
      again.socket.write(typenameRequest);
      served = await again.answer().then(
        (answer) => answer.status,
        () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50)),
      );
      again.socket.destroy();
    }
    expect(served).toBe(200);
    for (const connection of held) connection.socket.destroy();
  });
});

describe('defaults', () => {
  const serverOf = (raw: Record<string, string>) => {
    const parsed = parseEnv(raw);
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    return { ...parsed.env.gateway.server, bodyTimeoutMs: parsed.env.gateway.request.bodyTimeoutMs };
  };

  it('cuts at 10 s; with no proxy in front, keeps idle sockets 5 s and caps 100 connections per address', () => {
    expect(serverOf({})).toEqual({
      headersTimeoutMs: 10_000,
      bodyTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 10_000,
      maxConnectionsPerAddress: 100,
    });
  });

  it('behind a proxy (TRUST_PROXY), outlasts its 60 s idle timeout and does not cap the proxy’s address', () => {
    expect(serverOf({ TRUST_PROXY: '1' })).toMatchObject({ keepAliveTimeoutMs: 65_000, maxConnectionsPerAddress: 0 });
    expect(serverOf({ TRUST_PROXY: '1', KEEP_ALIVE_TIMEOUT_MS: '620000', MAX_CONNECTIONS_PER_ADDRESS: '1000' })).toMatchObject({
      keepAliveTimeoutMs: 620_000,
      maxConnectionsPerAddress: 1_000,
    });
  });

  it('refuses a keep-alive of 0, which Node reads as never', () => {
    expect(parseEnv({ KEEP_ALIVE_TIMEOUT_MS: '0', HEADERS_TIMEOUT_MS: 'soon' })).toEqual({
      ok: false,
      problems: ['HEADERS_TIMEOUT_MS: Invalid input: expected number, received NaN', 'KEEP_ALIVE_TIMEOUT_MS: Too small: expected number to be >=1'],
    });
  });
});
