import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OriginPattern } from '#lib/cors-origins.js';
import type { GatewaySettings } from '#lib/env.js';
import { sendError } from '#lib/http.js';

/**
 * CORS on the GraphQL path, before anything else of the request runs: a
 * preflight is answered here (true: the request is done), never identified,
 * rate-limited, logged or counted as a GraphQL request; any other request gets
 * its CORS headers on the response now (false), so that every answer the
 * pipeline writes after it, refusals included, carries them.
 */
export type Cors = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The request headers a page may send, each read somewhere in the gateway:
 * the body's type and the answer's (http/), credentials (stages/identify),
 * the headers that prove a preflight (CSRF, http/graphql-request.ts), the
 * client's name and version (persisted documents, Apollo Client's client
 * awareness), trace context (lib/telemetry.ts) and the request id
 * (lib/http.ts). The composition root adds those a stage names itself: the
 * cost report's (stages/cost) and OVERRIDE_LABEL_HEADER when set.
 */
export const CORS_REQUEST_HEADERS: readonly string[] = [
  'accept',
  'content-type',
  'authorization',
  'x-api-key',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'graphql-preflight',
  'apollographql-client-name',
  'apollographql-client-version',
  'traceparent',
  'tracestate',
  'x-request-id',
];

/** Response headers a page may read beyond the safelisted ones: the request id of every answer, and a 429's Retry-After. */
export const CORS_EXPOSED_HEADERS: readonly string[] = ['x-request-id', 'retry-after'];

/** The longest Origin read: `https://` + a 253-character host + `:65535`. A longer one is allowed nowhere. */
const MAX_ORIGIN_CHARACTERS = 300;

/**
 * The CORS policy for `settings` (env.gateway.cors), everything that does not
 * depend on the request computed here once: exact origins in a Set, patterns
 * matched by comparing a suffix, no regular expression. `extraRequestHeaders`
 * are further headers pages may send (the cost report's, OVERRIDE_LABEL_HEADER).
 *
 * A preflight from an origin that is not allowed, or any preflight when CORS is
 * off, is answered 403 without a CORS header, as the Fetch standard suggests
 * for a server that wants to say so ("the 403 status can be used, coupled with
 * omitting the relevant headers"); the browser then fails the request either
 * way. Apollo Router (tower-http) answers it 200 and Yoga 204 with
 * `Access-Control-Allow-Origin: null`; neither tells someone reading the
 * response why. A request from an origin not allowed runs as any other does
 * (CORS decides what a page may read, not who may call: CSRF prevention and
 * credentials do that), its answer without CORS headers.
 */
export function createCors(settings: GatewaySettings['cors'], extraRequestHeaders: readonly string[] = []): Cors {
  if (!settings) {
    // Same origin only: no header is added, and preflights are refused before any stage runs.
    return (req, res) => isPreflight(req) && refusePreflight(res);
  }
  const exposed = CORS_EXPOSED_HEADERS.join(', ');
  const allowHeaders = [...new Set([...CORS_REQUEST_HEADERS, ...extraRequestHeaders.map((name) => name.toLowerCase())])].join(', ');
  const preflight: Record<string, string> = {
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': allowHeaders,
    'access-control-max-age': String(settings.maxAgeSeconds),
    ...(settings.credentials ? { 'access-control-allow-credentials': 'true' } : {}),
  };

  const { origins } = settings;
  if (origins.anyOrigin && settings.credentials) throw new Error('CORS: credentials cannot be allowed from any origin ("*"); list the origins.');
  if (origins.anyOrigin) {
    // The same answer for every origin: nothing varies with it, and a cache may share it.
    const preflightAny = { ...preflight, 'access-control-allow-origin': '*' };
    return (req, res) => {
      if (isPreflight(req)) {
        res.writeHead(204, preflightAny);
        res.end();
        return true;
      }
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('access-control-expose-headers', exposed);
      return false;
    };
  }

  const allowed = originMatcher(origins.exact, origins.patterns);
  return (req, res) => {
    // Every answer depends on the Origin header, an answer to a request without one too: a cache must key on it.
    res.setHeader('vary', 'Origin');
    const origin = req.headers.origin;
    const allows = origin !== undefined && allowed(origin);
    if (isPreflight(req)) {
      if (!allows) return refusePreflight(res);
      res.writeHead(204, { ...preflight, 'access-control-allow-origin': origin });
      res.end();
      return true;
    }
    if (allows) {
      res.setHeader('access-control-allow-origin', origin);
      if (settings.credentials) res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-expose-headers', exposed);
    }
    return false;
  };
}

/** A CORS preflight, as the Fetch standard sends it; any other OPTIONS goes on to the pipeline's 405. */
function isPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
}

function refusePreflight(res: ServerResponse): true {
  sendError(res, 403, 'CORS_ORIGIN_NOT_ALLOWED', 'This origin may not call this API from a browser.');
  return true;
}

/**
 * Whether an Origin header's value is allowed: one of `exact`, or a match of
 * one of `patterns` (lib/cors-origins.ts). The value is read once, at most
 * MAX_ORIGIN_CHARACTERS of it, and a pattern's host is compared as a suffix.
 */
export function originMatcher(exact: readonly string[], patterns: readonly OriginPattern[]): (origin: string) => boolean {
  const exactly = new Set(exact);
  return (origin) => {
    if (origin.length > MAX_ORIGIN_CHARACTERS) return false;
    if (exactly.has(origin)) return true;
    return patterns.length > 0 && matchesPattern(origin, patterns);
  };
}

function matchesPattern(origin: string, patterns: readonly OriginPattern[]): boolean {
  const schemeEnd = origin.indexOf('://');
  if (schemeEnd === -1) return false;
  const hostStart = schemeEnd + 3;
  let hostEnd: number;
  if (origin.charCodeAt(hostStart) === 0x5b /* [ */) {
    hostEnd = origin.indexOf(']', hostStart) + 1;
    if (hostEnd === 0) return false;
  } else {
    hostEnd = origin.indexOf(':', hostStart);
    if (hostEnd === -1) hostEnd = origin.length;
  }
  let port = '';
  if (hostEnd < origin.length) {
    if (origin.charCodeAt(hostEnd) !== 0x3a /* : */) return false;
    port = origin.slice(hostEnd + 1);
    if (!isPort(port)) return false;
  }
  const host = origin.slice(hostStart, hostEnd);
  if (!isHost(host)) return false;
  for (const pattern of patterns) {
    if (schemeEnd !== pattern.scheme.length || !origin.startsWith(pattern.scheme)) continue;
    if (pattern.port !== '*' && pattern.port !== port) continue;
    if (pattern.subdomains ? host.length > pattern.host.length && host.endsWith(pattern.host) : host === pattern.host) return true;
  }
  return false;
}

/** 1 to 5 digits. */
function isPort(text: string): boolean {
  if (text.length === 0 || text.length > 5) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/**
 * A host as a browser serializes it in an Origin: a lower-case name of
 * letters, digits, hyphens and dots not starting with a dot (IDNs are
 * punycode), or a bracketed IPv6 address. Anything else is no browser's, and
 * matches no pattern.
 */
function isHost(host: string): boolean {
  if (host.length === 0) return false;
  if (host.charCodeAt(0) === 0x5b /* [ */) {
    for (let i = 1; i < host.length - 1; i++) {
      const code = host.charCodeAt(i);
      if (!(isDigit(code) || (code >= 0x61 && code <= 0x66) || code === 0x3a || code === 0x2e)) return false;
    }
    return true;
  }
  if (host.charCodeAt(0) === 0x2e /* . */) return false;
  for (let i = 0; i < host.length; i++) {
    const code = host.charCodeAt(i);
    if (!(isDigit(code) || (code >= 0x61 && code <= 0x7a) || code === 0x2d || code === 0x2e)) return false;
  }
  return true;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * Whether a WebSocket upgrade may go on, by its Origin: browsers send one and
 * let any page open a WebSocket anywhere, with the site's cookies, so a page
 * CORS does not allow must not get one (cross-site WebSocket hijacking). A
 * request without Origin is no browser's; a page of the gateway's own origin
 * (GraphiQL) is allowed; any other must be one CORS_ORIGINS allows.
 */
export function webSocketOrigins(settings: GatewaySettings['cors']): (req: IncomingMessage) => boolean {
  const allowed = !settings ? () => false : settings.origins.anyOrigin ? () => true : originMatcher(settings.origins.exact, settings.origins.patterns);
  return (req) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    const host = req.headers.host;
    if (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) return true;
    return allowed(origin);
  };
}
