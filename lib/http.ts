import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { markFailed, serveInSpan, tracing } from './telemetry.js';

/**
 * Plain node:http serving, shared by the gateway and the subgraphs: no
 * framework, one body read, the response written in one go. The subgraphs'
 * Apollo Server binding is lib/subgraph/apollo-handler.ts.
 */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** What a GraphQL context needs from the HTTP request. */
export type RequestInfo = { requestId: string; authorization?: string };

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The caller's `x-request-id` when it is sane, otherwise a fresh one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export function requestInfoOf(req: IncomingMessage): RequestInfo {
  const authorization = req.headers.authorization;
  return { requestId: requestIdOf(req), ...(authorization ? { authorization } : {}) };
}

/** An error response in the GraphQL shape, so clients parse every answer the same way. */
export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Routes requests by path (query string ignored). Unknown paths are 404 and
 * thrown errors 500, both as JSON in the GraphQL error shape.
 */
export function createRouter(routes: Record<string, Handler>, onError?: (error: unknown) => void): RequestListener {
  return (req, res) => {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const handler = routes[path] ?? routes['*'];
    const fail = (error: unknown) => {
      onError?.(error);
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      else res.destroy();
    };
    if (!handler) return sendError(res, 404, 'NOT_FOUND', `Nothing is served at ${path}.`);
    if (tracing() && !UNTRACED.has(path)) {
      traceRequest(req, res, path, handler === routes[path] ? path : undefined, () => run(handler, req, res, fail));
    } else run(handler, req, res, fail);
  };
}

function run(handler: Handler, req: IncomingMessage, res: ServerResponse, fail: (error: unknown) => void): void {
  try {
    const done = handler(req, res);
    if (done) done.catch(fail);
  } catch (error) {
    fail(error);
  }
}

/** Probes and scrapes come every few seconds from the orchestrator: a trace each would bury the requests'. */
const UNTRACED = new Set(['/health', '/ready', '/metrics']);

/**
 * Serves a request inside its SERVER span (lib/telemetry.ts), which continues
 * the caller's trace when it sent a `traceparent`, and ends when the response
 * does. Only the path is recorded: a GET's query string holds variables.
 */
function traceRequest(req: IncomingMessage, res: ServerResponse, path: string, route: string | undefined, serve: () => void): void {
  const method = req.method ?? 'GET';
  const attributes = {
    'http.request.method': method,
    'url.path': path,
    'url.scheme': 'http',
    ...(route ? { 'http.route': route } : {}),
    ...(req.socket.localPort ? { 'server.port': req.socket.localPort } : {}),
  };
  serveInSpan(req.headers, route ? `${method} ${route}` : method, attributes, (span) => {
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      // As the HTTP conventions have it: a 5xx is the server's failure, a 4xx the caller's.
      if (res.statusCode >= 500) markFailed(span, String(res.statusCode));
      else if (!res.writableFinished) markFailed(span, 'aborted');
      span.end();
    });
    serve();
  });
}

/**
 * What a server allows its clients' connections (the gateway's: env.gateway.server),
 * so that slow or greedy clients cannot hold its sockets.
 */
export type ServerLimits = {
  /** A request's headers within this of its first byte; a new connection that sends nothing is closed after it too. */
  headersTimeoutMs: number;
  /** A whole request, headers and body, within this of its first byte (Node's `requestTimeout`): the outer bound. */
  requestTimeoutMs: number;
  /** How long a kept-alive connection may sit idle between requests (advertised in `Keep-Alive`; Node closes it a second later). */
  keepAliveTimeoutMs: number;
  /** Open connections this process accepts at most; 0 for no cap. */
  maxConnections: number;
  /** Open connections at most from one peer address (the socket's: with a proxy in front, the proxy's); 0 for no cap. */
  maxConnectionsPerAddress: number;
};

export function createHttpServer(routes: Record<string, Handler>, onError?: (error: unknown) => void, limits?: ServerLimits): Server {
  if (!limits) return createServer(createRouter(routes, onError));
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks both timeouts only this often (30 s unless told), so a header timeout of 10 s
      // would hold for up to 40 s. Checking walks only the connections mid-request: cheap.
      connectionsCheckingInterval: checkingIntervalFor(limits.headersTimeoutMs),
    },
    createRouter(routes, onError),
  );
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  if (limits.maxConnectionsPerAddress > 0) capConnectionsPerAddress(server, limits.maxConnectionsPerAddress);
  return server;
}

/** A tenth of the header timeout, at least 100 ms and at most 1 s: how late Node may cut a connection past its timeout. */
function checkingIntervalFor(headersTimeoutMs: number): number {
  return Math.min(1_000, Math.max(100, Math.round(headersTimeoutMs / 10)));
}

/**
 * Closes a new connection at once, before anything is read from it, when its
 * peer address already holds `max`: answering would mean reading a request,
 * which is what a slow client makes expensive. Counted per process.
 */
function capConnectionsPerAddress(server: Server, max: number): void {
  const open = new Map<string, number>();
  // First of the connection listeners, so that a refused socket is closed before node:http reads it.
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined) return; // Already gone.
    const held = open.get(address) ?? 0;
    if (held >= max) {
      socket.destroy();
      return;
    }
    open.set(address, held + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

export type Listening = {
  server: Server;
  port: number;
  url: string;
  /** Closes the server (see closeServer), cutting requests still unfinished after `graceMs` if given. */
  close(graceMs?: number): Promise<void>;
};

/** Starts listening (port 0 picks a free one) and resolves once the socket is bound. */
export function listen(server: Server, port: number, host?: string, path = '/graphql'): Promise<Listening> {
  trackResponses(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const bound = (server.address() as AddressInfo).port;
      const shownHost = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      resolve({
        server,
        port: bound,
        url: `http://${shownHost}:${bound}${path}`,
        close: (graceMs) => closeServer(server, graceMs),
      });
    });
  });
}

/** Each listening server's unfinished responses, so that closeServer can end their connections after them. */
const unfinished = new WeakMap<Server, Set<ServerResponse>>();

function trackResponses(server: Server): void {
  if (unfinished.has(server)) return;
  const responses = new Set<ServerResponse>();
  unfinished.set(server, responses);
  // First of the request listeners, so it runs before any handler writes a header.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    // A request on a kept-alive connection after close(): answer it, then close that connection too.
    if (!server.listening) res.setHeader('connection', 'close');
    responses.add(res);
    res.once('close', () => responses.delete(res));
  });
}

/**
 * Stops accepting connections, drops idle keep-alive sockets at once, and lets
 * in-flight requests finish, closing each one's connection after its response
 * (a kept-alive socket would otherwise hold the close up for its idle timeout).
 * After `graceMs`, if given, connections still busy are cut. Resolves once
 * every connection is gone.
 */
export function closeServer(server: Server, graceMs?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let cut: NodeJS.Timeout | undefined;
    server.close((error) => {
      clearTimeout(cut);
      if (error) reject(error);
      else resolve();
    });
    server.closeIdleConnections();
    for (const res of unfinished.get(server) ?? []) {
      if (!res.headersSent) res.setHeader('connection', 'close');
      else {
        // Already answering (a streamed body): end the connection once the body is written.
        const socket = res.socket;
        res.once('finish', () => socket?.end());
      }
    }
    if (graceMs !== undefined) cut = setTimeout(() => server.closeAllConnections(), graceMs);
  });
}
