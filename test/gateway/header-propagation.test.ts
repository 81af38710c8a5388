import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { loggedTimes, replaceFile } from '../support/hot-reload.js';
import { startLibrary, type Library } from '../support/library.js';
import { run } from '../support/processes.js';

/**
 * PROPAGATE_HEADERS through production CLI gateways over the library's real
 * subgraphs (catalog and people are Apollo subgraphs, shelf a bare HTTP
 * server), each recording the headers of every request it gets. One query
 * reaches all three: catalog for the books, then shelf and people for their
 * fields. Nothing is forwarded unless named; credentials never are.
 */
let library: Library;
let plain: GatewayProcess;
let propagating: GatewayProcess;

const QUERY = '{ books { isbn shelf author { name } } }';
const SUBGRAPHS = ['catalog', 'people', 'shelf'] as const;
const RULES = 'Accept-Language, x-client>x-app-client, catalog:x-tenant, people:x-tenant>x-people-tenant';

beforeAll(async () => {
  library = await startLibrary();
  [plain, propagating] = await Promise.all([
    startGatewayProcess(library.supergraphSdl),
    startGatewayProcess(library.supergraphSdl, { PROPAGATE_HEADERS: RULES }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([plain?.stop(), propagating?.stop()]);
  await library?.stop();
});

/** Sends QUERY with `headers` and returns the answer and, per subgraph, the headers of the one request it got. */
async function send(gateway: GatewayProcess, headers: Record<string, string>) {
  library.seen.length = 0;
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: QUERY }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, received: received() };
}

/** What each subgraph got since `library.seen` was emptied: one request each, or none. */
function received(): Record<(typeof SUBGRAPHS)[number], IncomingHttpHeaders | undefined> {
  const by = (subgraph: string) => {
    const requests = library.seen.filter((seen) => seen.subgraph === subgraph);
    expect(requests.length).toBeLessThanOrEqual(1);
    return requests[0]?.headers;
  };
  return { catalog: by('catalog'), people: by('people'), shelf: by('shelf') };
}

/** The headers of `received` whose names are among `names`, per subgraph. */
function only(received: Record<string, IncomingHttpHeaders | undefined>, names: string[]) {
  return Object.fromEntries(
    Object.entries(received).map(([subgraph, headers]) => [subgraph, Object.fromEntries(names.filter((name) => headers?.[name] !== undefined).map((name) => [name, headers![name]]))]),
  );
}

/** A request written byte by byte on a socket: repeated headers, and what fetch() refuses to send. */
function rawPost(url: string, headerLines: string): Promise<{ status: number }> {
  const { hostname, port, pathname } = new URL(url);
  const body = JSON.stringify({ query: QUERY });
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST ${pathname} HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\n${headerLines}` +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0) }));
    socket.on('error', reject);
  });
}

const CLIENT = { 'accept-language': 'fr-CH, fr;q=0.9', 'x-tenant': 'acme', 'x-client': 'web/1.2', cookie: 'session=abc', 'x-other': 'o' };
const ANSWERED = { data: { books: expect.arrayContaining([expect.objectContaining({ shelf: 'S-518', author: { name: 'Jane Austen' } })]) } };

describe('without PROPAGATE_HEADERS', () => {
  it('forwards no client header to any subgraph', async () => {
    const { status, body, received } = await send(plain, CLIENT);
    expect({ status, body }).toEqual({ status: 200, body: ANSWERED });
    // Each subgraph was asked, by the gateway (its signed identity), and got none of the client's headers.
    for (const subgraph of SUBGRAPHS) expect(received[subgraph]?.['x-junction-gateway']).toEqual(expect.any(String));
    expect(only(received, [...Object.keys(CLIENT), 'x-app-client', 'x-people-tenant'])).toEqual({ catalog: {}, people: {}, shelf: {} });
  });
});

describe('PROPAGATE_HEADERS', () => {
  it('forwards a header named for all subgraphs to each of them, a renamed one under its new name only, and none it does not name', async () => {
    const { status, body, received } = await send(propagating, CLIENT);
    expect({ status, body }).toEqual({ status: 200, body: ANSWERED });
    for (const subgraph of SUBGRAPHS) {
      // Cookies and x-other were sent alongside, and are not named.
      expect(only({ [subgraph]: received[subgraph] }, ['accept-language', 'x-app-client', 'x-client', 'cookie', 'x-other'])).toEqual({
        [subgraph]: { 'accept-language': 'fr-CH, fr;q=0.9', 'x-app-client': 'web/1.2' },
      });
    }
  });

  it('forwards a header named for one subgraph to that one only, renamed where its rule says', async () => {
    const { received } = await send(propagating, CLIENT);
    expect(only(received, ['x-tenant', 'x-people-tenant'])).toEqual({
      catalog: { 'x-tenant': 'acme' },
      people: { 'x-people-tenant': 'acme' },
      // Not named for the shelf: it gets nothing of it.
      shelf: {},
    });
  });

  it('forwards nothing of a header the client did not send', async () => {
    const { received } = await send(propagating, { 'accept-language': 'de' });
    expect(only(received, ['accept-language', 'x-tenant', 'x-people-tenant', 'x-app-client'])).toEqual({
      catalog: { 'accept-language': 'de' },
      people: { 'accept-language': 'de' },
      shelf: { 'accept-language': 'de' },
    });
  });

  it('forwards a value of 1,024 bytes, and refuses one byte more with 431 before any subgraph is asked', async () => {
    const longest = 't'.repeat(1024);
    const forwarded = await send(propagating, { 'x-tenant': longest });
    expect(forwarded.status).toBe(200);
    expect(forwarded.received.catalog?.['x-tenant']).toBe(longest);

    const refused = await send(propagating, { 'x-tenant': `${longest}t` });
    expect(refused.status).toBe(431);
    expect(refused.body).toEqual({
      errors: [
        {
          message: 'The x-tenant header is longer than the 1024 bytes this gateway forwards to subgraphs.',
          extensions: { code: 'REQUEST_HEADER_TOO_LARGE', requestId: expect.any(String) },
        },
      ],
    });
    expect(refused.received).toEqual({ catalog: undefined, people: undefined, shelf: undefined });
    // A long header it does not forward is none of its business.
    expect((await send(propagating, { 'x-other': 'o'.repeat(4096) })).status).toBe(200);
  });

  it('forwards a repeated header as Node gives it: its values joined', async () => {
    library.seen.length = 0;
    expect(await rawPost(propagating.url, 'x-tenant: acme\r\nx-tenant: globex\r\n')).toEqual({ status: 200 });
    expect(only(received(), ['x-tenant', 'x-people-tenant'])).toEqual({
      catalog: { 'x-tenant': 'acme, globex' },
      people: { 'x-people-tenant': 'acme, globex' },
      shelf: {},
    });
  });

  it('never lets a CR or LF through to a subgraph: Node refuses the request', async () => {
    library.seen.length = 0;
    expect(await rawPost(propagating.url, 'x-tenant: acme\nx-junction-gateway: forged\r\n')).toEqual({ status: 400 });
    expect(await rawPost(propagating.url, 'x-tenant: acme\rauthorization: forged\r\n')).toEqual({ status: 400 });
    expect(library.seen).toEqual([]);
  });
});

describe('PROPAGATE_HEADERS refuses at boot', () => {
  /** `junction gateway` over the library with `env`: its exit code and output. */
  async function boot(env: Record<string, string>) {
    const gateway = run('node', ['bin/junction.js', 'gateway', '--supergraph', plain.supergraph, '--port', '0'], {
      NODE_ENV: 'production',
      GATEWAY_SECRET: 'a-production-secret-of-at-least-32-characters',
      ...env,
    });
    return { code: await gateway.exited, output: gateway.output() };
  }

  it('credentials and hop-by-hop headers, forwarded or renamed to, each with why', async () => {
    const { code, output } = await boot({ PROPAGATE_HEADERS: 'authorization,x-tenant,Cookie,catalog:connection,proxy-connection,x-tenant>x-junction-gateway' });
    expect(code).toBe(1);
    expect(output).toContain('Invalid environment:');
    expect(output).toContain('PROPAGATE_HEADERS: "authorization" can never be propagated: it is a credential');
    expect(output).toContain('PROPAGATE_HEADERS: "cookie" can never be propagated: it is a credential');
    expect(output).toContain(`PROPAGATE_HEADERS: "connection" can never be propagated: it is hop-by-hop`);
    expect(output).toContain(`PROPAGATE_HEADERS: "proxy-connection" can never be propagated: it is hop-by-hop`);
    expect(output).toContain(`PROPAGATE_HEADERS: "x-tenant>x-junction-gateway": no header can be renamed to "x-junction-gateway": it is the gateway's own signed identity token`);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('a subgraph the supergraph does not have, naming those it has', async () => {
    const { code, output } = await boot({ PROPAGATE_HEADERS: 'accept-language,reviews:x-tenant' });
    expect(code).toBe(1);
    expect(output).toContain('PROPAGATE_HEADERS names subgraph "reviews", which the supergraph does not have (its subgraphs: catalog, people, shelf).');
    expect(output).not.toMatch(/\n\s+at /);
  });
});

describe('PROPAGATE_HEADERS over a hot reload', () => {
  it('warns when the reloaded supergraph lacks a subgraph it names, and forwards to the others', async () => {
    const gateway = await startGatewayProcess(library.supergraphSdl, { PROPAGATE_HEADERS: 'shelf:x-tenant,people:x-tenant' });
    try {
      await replaceFile(gateway.supergraph, library.compose(['catalog', 'people']), 'rename');
      await loggedTimes(gateway.running, 'supergraph reloaded', 1);
      expect(await loggedTimes(gateway.running, 'PROPAGATE_HEADERS names subgraphs the served supergraph does not have: nothing is forwarded to them', 1)).toMatchObject({
        level: 40,
        subgraphs: ['shelf'],
      });
      library.seen.length = 0;
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tenant': 'acme' },
        body: JSON.stringify({ query: '{ books { isbn author { name } } }' }),
      });
      expect(response.status).toBe(200);
      expect(only(received(), ['x-tenant'])).toEqual({ catalog: {}, people: { 'x-tenant': 'acme' }, shelf: {} });
    } finally {
      await gateway.stop();
    }
  });
});
