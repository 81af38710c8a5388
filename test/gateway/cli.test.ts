import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_HEADER, verifyGatewayToken } from '#lib/identity.js';
import { parseEnv } from '#lib/env.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { post } from '../support/graphql.js';
import { books, startLibrary, type Library } from '../support/library.js';
import { run } from '../support/processes.js';

/**
 * `junction gateway` is generic: here it serves a supergraph that has nothing
 * to do with Junction's own, a library of books and authors, in one process,
 * with development defaults (the security suite covers production).
 */
let library: Library;
let gateway: GatewayProcess;
let url: string;

beforeAll(async () => {
  library = await startLibrary();
  gateway = await startGatewayProcess(library.supergraphSdl, { NODE_ENV: 'development', GATEWAY_SECRET: undefined });
  url = gateway.url;
});

afterAll(async () => {
  await gateway?.stop();
  await library?.stop();
});

describe('junction gateway over a supergraph that is not ours', () => {
  it('plans and executes across its subgraphs', async () => {
    const result = await post(url, '{ books { title author { name } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      books: [
        { title: 'Pride and Prejudice', author: { name: 'Jane Austen' } },
        { title: 'Sense and Sensibility', author: { name: 'Jane Austen' } },
        { title: 'Frankenstein', author: { name: 'Mary Shelley' } },
      ],
    });
  });

  it('vouches for the caller to every subgraph it calls, and passes on only the request id', async () => {
    library.seen.length = 0;
    const result = await post(url, '{ books { author { name } } }', {}, {
      'x-request-id': 'req-42',
      cookie: 'session=secret',
    });
    expect(result.headers.get('x-request-id')).toBe('req-42');
    expect(library.seen.map((request) => request.subgraph).sort()).toEqual(['catalog', 'people']);
    const { env } = parseEnv({}) as { ok: true; env: { GATEWAY_SECRET: string } };
    for (const { headers } of library.seen) {
      expect(headers['x-request-id']).toBe('req-42');
      // A token signed with GATEWAY_SECRET saying who is calling (here: nobody).
      await expect(verifyGatewayToken(headers[GATEWAY_HEADER] as string, env.GATEWAY_SECRET)).resolves.toBeNull();
      // Client headers are not passed on.
      expect(headers.cookie).toBeUndefined();
      expect(headers.authorization).toBeUndefined();
    }
  });

  it('answers GET requests that prove they are not cross-site', async () => {
    const query = encodeURIComponent('{ books { isbn } }');
    const allowed = await fetch(`${url}?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ data: { books: books.map(({ isbn }) => ({ isbn })) } });
    // A bare GET, as a cross-site <img> or link would send, is not executed.
    const bare = await fetch(`${url}?query=${query}`);
    expect(bare.status).toBe(400);
  });

  it('can be introspected by IDEs', async () => {
    const result = await post<{ __schema: { queryType: { fields: { name: string }[] } } }>(
      url,
      '{ __schema { queryType { fields { name } } } }',
    );
    expect(result.data!.__schema.queryType.fields.map((field) => field.name)).toEqual(['books', 'book']);
  });

  it('answers /health once the supergraph is loaded', async () => {
    const response = await fetch(new URL('/health', url));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('gives a browser GraphiQL, every asset served by the gateway itself', async () => {
    const page = await fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    const assets = references.filter((reference) => !reference.startsWith('data:'));
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset).toMatch(/^\/ide\//);
      const response = await fetch(new URL(asset, url));
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });

  it('answers unknown paths with a GraphQL-shaped 404', async () => {
    const response = await fetch(new URL('/nope', url));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
  });
});

describe('junction gateway refuses to start without a usable supergraph', () => {
  it.each([
    [['gateway'], 2, /--supergraph is required/],
    [['gateway', '--supergraph', '/nonexistent/supergraph.graphql'], 1, /Cannot read the supergraph .*: no such file/],
    [['gateway', '--supergraph', 'package.json'], 1, /Cannot serve the supergraph package.json/],
    [['gateway', '--supergraph', 'supergraph.graphql', '--port', 'eighty'], 2, /--port must be a port number/],
  ])('junction %j exits %i', async (args, code, message) => {
    const junction = run('node', ['bin/junction.js', ...args], { LOG_LEVEL: 'silent' });
    expect(await junction.exited).toBe(code);
    expect(junction.output()).toMatch(message);
    expect(junction.output()).not.toMatch(/\n\s+at /);
  });

  it('is on the PATH of the project as `npx junction`', async () => {
    const junction = run('npx', ['junction', 'gateway', '--help'], {});
    expect(await junction.exited).toBe(0);
    expect(junction.output()).toMatch(/Usage: junction gateway --supergraph FILE/);
  });
});
