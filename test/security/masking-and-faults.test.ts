import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { post } from '../support/graphql.js';
import { LEAKED_SECRETS, books, startLibrary, type Library, type ShelfMode } from '../support/library.js';

/**
 * A production gateway over a subgraph (shelf) that fails every way a real
 * one does. The client always gets the other subgraphs' data, the shelf
 * fields as null with a coded error, and nothing about the shelf's insides;
 * the log gets the detail under the request id the client was given.
 */
let library: Library;
let gateway: GatewayProcess;

const TIMEOUT_MS = 1_000;
const BREAKER_RESET_MS = 1_500;

beforeAll(async () => {
  library = await startLibrary();
  gateway = await startGatewayProcess(library.supergraphSdl, {
    SUBGRAPH_TIMEOUT_MS: String(TIMEOUT_MS),
    CIRCUIT_BREAKER_FAILURES: '3',
    CIRCUIT_BREAKER_RESET_MS: String(BREAKER_RESET_MS),
    RATE_LIMIT: 'false',
    // Below MAX_RESPONSE_BYTES (10 MB), which a larger answer would pass first (test/security/response-size.test.ts).
    SUBGRAPH_MAX_RESPONSE_BYTES: '1000000',
  });
});

afterAll(async () => {
  expect(await gateway?.stop()).toBe(0);
  await library?.stop();
});

beforeEach(() => {
  library.shelf.mode = 'ok';
});

const QUERY = '{ books { title shelf } }';

async function shelved(mode: ShelfMode) {
  library.shelf.mode = mode;
  const started = Date.now();
  const result = await post<{ books: { title: string; shelf: string | null }[] }>(gateway.url, QUERY);
  return { ...result, took: Date.now() - started };
}

function expectPartial(result: Awaited<ReturnType<typeof shelved>>, code: string) {
  expect(result.status).toBe(200);
  // The catalog's data is intact; only the shelf is missing.
  expect(result.data!.books).toEqual(books.map(({ title }) => ({ title, shelf: null })));
  expect(result.errors!.length).toBeGreaterThan(0);
  for (const error of result.errors!) {
    expect(error.extensions!.code).toBe(code);
    expect(error.extensions!.requestId).toBe(result.headers.get('x-request-id'));
    expect(Object.keys(error.extensions!).sort()).toEqual(expect.arrayContaining(['code', 'requestId']));
    expect(error.extensions).not.toHaveProperty('stacktrace');
  }
  const text = JSON.stringify(result.errors);
  for (const secret of [...LEAKED_SECRETS, '127.0.0.1', 'localhost', library.shelf.url, '<html', 'ECONN', 'stacktrace']) {
    expect(text).not.toContain(secret);
  }
}

describe('error masking', () => {
  it('answers normally while the shelf is healthy', async () => {
    const result = await shelved('ok');
    expect(result.errors).toBeUndefined();
    expect(result.data!.books[0]).toEqual({ title: 'Pride and Prejudice', shelf: 'S-518' });
  });

  it('hides SQL, addresses and stack traces a subgraph sends, and logs them under the request id', async () => {
    const result = await shelved('leaky');
    expectPartial(result, 'INTERNAL_SERVER_ERROR');
    const requestId = result.headers.get('x-request-id')!;
    await expect.poll(() => gateway.running.output()).toContain(requestId);
    const logged = gateway.running
      .output()
      .split('\n')
      .filter((line) => line.includes(requestId))
      .join('\n');
    expect(logged).toContain('select isbn, shelf from shelves');
  });
});

describe('subgraph faults', () => {
  it.each([
    ['answers an HTML error page', 'html'],
    ['answers invalid JSON', 'garbage'],
    ['drops the connection', 'reset'],
    ['answers a body over the size limit', 'huge'],
  ] as const)('a subgraph that %s gives partial data and DOWNSTREAM_SERVICE_ERROR', async (_name, mode) => {
    expectPartial(await shelved(mode), 'DOWNSTREAM_SERVICE_ERROR');
    library.shelf.mode = 'ok';
    // One failure is not enough to open the circuit: the next request is whole again.
    expect((await shelved('ok')).errors).toBeUndefined();
  });

  it('a slow subgraph is cut off at SUBGRAPH_TIMEOUT_MS', async () => {
    library.shelf.slowMs = TIMEOUT_MS * 4;
    const result = await shelved('slow');
    expectPartial(result, 'DOWNSTREAM_SERVICE_ERROR');
    expect(result.took).toBeLessThan(TIMEOUT_MS * 3);
    expect(result.errors![0]!.message).toMatch(/shelf/);
  });

  it('a subgraph that keeps failing is left alone until it recovers (circuit breaker)', async () => {
    for (let i = 0; i < 3; i += 1) expectPartial(await shelved('html'), 'DOWNSTREAM_SERVICE_ERROR');
    const reached = library.shelf.requests;
    // Open: failing fast, without calling the shelf at all.
    const open = await shelved('ok');
    expectPartial(open, 'DOWNSTREAM_SERVICE_ERROR');
    expect(library.shelf.requests).toBe(reached);
    // After the reset interval one trial goes through, succeeds, and closes the circuit.
    await new Promise((resolve) => setTimeout(resolve, BREAKER_RESET_MS + 200));
    const recovered = await shelved('ok');
    expect(recovered.errors).toBeUndefined();
    expect(library.shelf.requests).toBe(reached + 1);
    expect((await shelved('ok')).errors).toBeUndefined();
  });

  it('has not crashed through any of it', async () => {
    expect(gateway.running.child.exitCode).toBeNull();
    const health = await fetch(new URL('/health', gateway.url));
    expect(health.status).toBe(200);
  });
});
