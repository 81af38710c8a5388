import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcessAt, type GatewayProcess } from '../support/gateway-process.js';
import { codes, post } from '../support/graphql.js';
import { loggedTimes, logLines } from '../support/hot-reload.js';
import { startLibrary, type Library } from '../support/library.js';
import { freePorts, run } from '../support/processes.js';

/**
 * `junction gateway --supergraph URL` fetches the supergraph at the start and
 * polls it every --poll-interval with the last ETag: a 304 costs nothing, a
 * changed supergraph is swapped in, and a failed poll (5xx, unreachable,
 * invalid SDL) is logged while the current supergraph serves on.
 */
const SHELVES = '{ books { title shelf } }';
const PROCESS_TIMEOUT_MS = 90_000;

/** A config server: serves `sdl` with a strong ETag, or `status` when set; records each request's headers. */
async function startSupergraphServer(sdl: string) {
  const state = { sdl, status: undefined as number | undefined, requests: [] as IncomingHttpHeaders[] };
  const server: Server = createServer((req, res) => {
    state.requests.push(req.headers);
    if (state.status) return res.writeHead(state.status).end('down for maintenance');
    const etag = `"${createHash('sha256').update(state.sdl).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag) return res.writeHead(304, { etag }).end();
    res.writeHead(200, { 'content-type': 'text/plain', etag }).end(state.sdl);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state,
    port: (server.address() as AddressInfo).port,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

let library: Library;
let gateway: GatewayProcess | undefined;
let config: Awaited<ReturnType<typeof startSupergraphServer>> | undefined;

beforeAll(async () => {
  library = await startLibrary();
});
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  await config?.stop();
  config = undefined;
});
afterAll(() => library?.stop());

describe('junction gateway --supergraph URL', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('polls with If-None-Match, reloads a changed supergraph, and keeps serving through failures', async () => {
    config = await startSupergraphServer(library.compose(['catalog', 'people']));
    // Credentials and a token in the query: sent, never logged.
    const location = `http://reader:s3cret@127.0.0.1:${config.port}/supergraph.graphql?token=hush`;
    gateway = await startGatewayProcessAt(location, {}, ['--poll-interval', '100ms']);
    const { running, url } = gateway;
    expect(codes(await post(url, SHELVES))).toEqual(['GRAPHQL_VALIDATION_FAILED']);

    // Unchanged: every poll after the first carries the ETag and gets a 304; nothing reloads.
    await expect.poll(() => config!.state.requests.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    const [first, ...polls] = config.state.requests;
    expect(first!['if-none-match']).toBeUndefined();
    expect(first!.authorization).toBe(`Basic ${Buffer.from('reader:s3cret').toString('base64')}`);
    for (const headers of polls) expect(headers['if-none-match']).toMatch(/^"[0-9a-f]{16}"$/);
    expect(logLines(running, 'supergraph reloaded')).toEqual([]);

    config.state.sdl = library.supergraphSdl;
    expect(await loggedTimes(running, 'supergraph reloaded', 1)).toMatchObject({
      supergraph: `http://127.0.0.1:${config.port}/supergraph.graphql`,
      subgraphs: 3,
    });
    expect((await post(url, SHELVES)).errors).toBeUndefined();

    config.state.status = 500;
    expect(await loggedTimes(running, 'supergraph unavailable', 1)).toMatchObject({ level: 40, reason: 'HTTP 500' });
    expect((await post(url, SHELVES)).errors).toBeUndefined();

    config.state.status = undefined;
    config.state.sdl = 'type Query { hello: String }\n';
    await loggedTimes(running, 'supergraph rejected', 1);
    // Rejected once, not at every poll: the next polls are 304s for the same ETag.
    const polled = config.state.requests.length;
    await expect.poll(() => config!.state.requests.length, { timeout: 10_000 }).toBeGreaterThan(polled + 2);
    expect(logLines(running, 'supergraph rejected')).toHaveLength(1);
    expect((await post(url, SHELVES)).errors).toBeUndefined();

    await config.stop();
    const unavailable = logLines(running, 'supergraph unavailable').length;
    expect(await loggedTimes(running, 'supergraph unavailable', unavailable + 1)).toMatchObject({
      reason: expect.stringMatching(/ECONNREFUSED/),
    });
    expect((await post(url, SHELVES)).errors).toBeUndefined();

    expect(running.output()).not.toMatch(/s3cret|hush/);
    expect(await gateway.stop()).toBe(0);
  });

  it('does not start when the supergraph cannot be fetched, and says why', async () => {
    const [closed] = await freePorts(1);
    const unreachable = run('node', ['bin/junction.js', 'gateway', '--supergraph', `http://127.0.0.1:${closed}/supergraph.graphql`, '--port', '0'], {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
    });
    expect(await unreachable.exited).toBe(1);
    expect(unreachable.output()).toMatch(new RegExp(`Cannot fetch the supergraph http://127.0.0.1:${closed}/supergraph.graphql: .*ECONNREFUSED`));

    config = await startSupergraphServer('');
    config.state.status = 404;
    const missing = run('node', ['bin/junction.js', 'gateway', '--supergraph', `http://127.0.0.1:${config.port}/x`, '--poll-interval', 'often'], {});
    expect(await missing.exited).toBe(2);
    expect(missing.output()).toMatch(/--poll-interval must be a duration such as 500ms, 10s or 2m; got "often"/);

    const notFound = run('node', ['bin/junction.js', 'gateway', '--supergraph', `http://127.0.0.1:${config.port}/x`, '--port', '0'], {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
    });
    expect(await notFound.exited).toBe(1);
    expect(notFound.output()).toMatch(`Cannot fetch the supergraph http://127.0.0.1:${config.port}/x: HTTP 404.`);
  });
});
