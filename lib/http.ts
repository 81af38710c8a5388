import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** A request body over the limit; answer 413 (and close the connection). */
export class BodyTooLarge extends Error {}

/** Reads a request body of at most `limit` bytes, refusing larger ones without buffering them. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop keeping it, but keep the socket: the 413 still has to be written.
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
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

export function createHttpServer(routes: Record<string, Handler>, onError?: (error: unknown) => void): Server {
  return createServer(createRouter(routes, onError));
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
