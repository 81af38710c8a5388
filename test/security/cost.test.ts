import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCHMARK_QUERY } from '../../bench/data.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { PRODUCTION_SECRET, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startLibrary, type Library } from '../support/library.js';
import { run } from '../support/processes.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Demand control through a production CLI gateway over real subgraph
 * processes: an operation is priced before any subgraph is called, and one
 * over its caller's limit is refused with 400 COST_ESTIMATED_TOO_EXPENSIVE.
 * The limit is the caller's API key's own (`junction api-key create
 * --max-cost`), else its contract's (CONTRACT_MAX_COST), else
 * MAX_COST_ANONYMOUS for anonymous callers and MAX_COST for the others.
 *
 * The library's `books` list has no @listSize: it is COST_LIST_SIZE (10) long,
 * so `{ books { title author { name } } }` costs 10 * (1 + 1) = 20.
 */
const TWENTY = '{ books { title author { name } } }';
/** Six of those: 120. */
const SIX_TIMES = `{ ${['a', 'b', 'c', 'd', 'e', 'f'].map((alias) => `${alias}: books { title author { name } }`).join(' ')} }`;

type Body = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[]; extensions?: Record<string, unknown> };

let library: Library;
let dir: string;
let gateway: GatewayProcess;
const keys: Record<'generous' | 'plain' | 'partner' | 'generousPartner', string> = { generous: '', plain: '', partner: '', generousPartner: '' };

/** A key made as an operator makes one, in the gateway's (embedded) database. */
async function makeKey(client: string, ...options: string[]): Promise<string> {
  const made = run('node', ['bin/junction.js', 'api-key', 'create', '--name', client, '--client', client, ...options], { JUNCTION_DATA_DIR: dir });
  expect(await made.exited, made.output()).toBe(0);
  return /^key\s+(jk_\S+)$/m.exec(made.output())![1]!;
}

async function send(query: string, headers: Record<string, string> = {}) {
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as Body };
}

/** The refusal, exactly, for an estimate over a limit. */
function tooExpensive(requestId: string | null, estimated: number, max: number): Body {
  return {
    errors: [
      {
        message: `query estimated cost ${estimated} exceeded configured maximum ${max}`,
        extensions: { code: 'COST_ESTIMATED_TOO_EXPENSIVE', requestId, cost: { estimated, max } },
      },
    ],
  };
}

beforeAll(async () => {
  library = await startLibrary();
  dir = await mkdtemp(join(tmpdir(), 'junction-cost-'));
  // The keys go in before the gateway opens the embedded database: it belongs to one process at a time.
  keys.generous = await makeKey('analytics', '--max-cost', '1000');
  keys.plain = await makeKey('storefront');
  keys.partner = await makeKey('acme');
  keys.generousPartner = await makeKey('acme', '--max-cost', '500');
  // A contract of the library: the same supergraph, served to acme's keys with its own limit.
  const contract = join(dir, 'partner.graphql');
  await writeFile(contract, library.supergraphSdl);
  gateway = await startGatewayProcess(
    library.supergraphSdl,
    {
      JUNCTION_DATA_DIR: dir,
      RATE_LIMIT: 'false',
      MAX_COST: '100',
      MAX_COST_ANONYMOUS: '30',
      CONTRACT_CLIENTS: 'acme=partner',
      CONTRACT_MAX_COST: 'partner=15',
    },
    ['--contract', `partner=${contract}`],
  );
});

afterAll(async () => {
  expect(await gateway?.stop()).toBe(0);
  await library?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('an operation over its caller’s limit', () => {
  it('is refused with 400 before any subgraph is called, with the estimate and the limit', async () => {
    const before = library.seen.length;
    const refused = await send(SIX_TIMES);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual(tooExpensive(refused.requestId, 120, 30));
    expect(library.seen.length).toBe(before);
  });

  it('under it, runs', async () => {
    const answered = await send(TWENTY);
    expect(answered.status).toBe(200);
    expect(answered.body).toEqual({
      data: {
        books: [
          { title: 'Pride and Prejudice', author: { name: 'Jane Austen' } },
          { title: 'Sense and Sensibility', author: { name: 'Jane Austen' } },
          { title: 'Frankenstein', author: { name: 'Mary Shelley' } },
        ],
      },
    });
  });

  it('is refused the same when the skip that would have made it cheap is off', async () => {
    const query = `query Q($all: Boolean!) { ${['a', 'b'].map((alias) => `${alias}: books @include(if: $all) { author { name } }`).join(' ')} }`;
    const post = (all: boolean) =>
      fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: { all } }) });
    expect((await post(false)).status).toBe(200);
    const refused = await post(true);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual(tooExpensive(refused.headers.get('x-request-id'), 40, 30));
  });
});

describe('whose limit', () => {
  it('an API key without a limit of its own: MAX_COST', async () => {
    const refused = await send(SIX_TIMES, { 'x-api-key': keys.plain });
    expect(refused.body).toEqual(tooExpensive(refused.requestId, 120, 100));
    // MAX_COST_ANONYMOUS is for anonymous callers only.
    expect((await send(`{ a: books { author { name } } b: books { author { name } } }`, { 'x-api-key': keys.plain })).status).toBe(200);
  });

  it('an API key made with --max-cost: its own', async () => {
    const before = library.seen.length;
    const answered = await send(SIX_TIMES, { 'x-api-key': keys.generous });
    expect(answered.status).toBe(200);
    expect(Object.keys(answered.body.data as object)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(library.seen.length).toBeGreaterThan(before);
  });

  it('a client served a contract: CONTRACT_MAX_COST, unless its key has its own', async () => {
    const refused = await send(TWENTY, { 'x-api-key': keys.partner });
    expect(refused.body).toEqual(tooExpensive(refused.requestId, 20, 15));
    expect((await send('{ book(isbn: "9780486282114") { title } }', { 'x-api-key': keys.partner })).body).toEqual({ data: { book: { title: 'Frankenstein' } } });
    expect((await send(SIX_TIMES, { 'x-api-key': keys.generousPartner })).status).toBe(200);
  });
});

describe('extensions.cost, when the client asks', () => {
  it('x-junction-cost: estimated', async () => {
    const answered = await send(TWENTY, { 'x-junction-cost': 'estimated' });
    expect(answered.status).toBe(200);
    expect(answered.body.extensions).toEqual({ cost: { estimated: 20 } });
    expect((answered.body.data as { books: unknown[] }).books).toHaveLength(3);
  });

  it('x-junction-cost: actual, measured over the answer: 3 books, each with an author', async () => {
    const answered = await send(TWENTY, { 'x-junction-cost': 'actual' });
    expect(answered.body).toEqual({
      data: {
        books: [
          { title: 'Pride and Prejudice', author: { name: 'Jane Austen' } },
          { title: 'Sense and Sensibility', author: { name: 'Jane Austen' } },
          { title: 'Frankenstein', author: { name: 'Mary Shelley' } },
        ],
      },
      extensions: { cost: { estimated: 20, actual: 6 } },
    });
  });

  it('not otherwise', async () => {
    expect((await send(TWENTY)).body.extensions).toBeUndefined();
    expect((await send(TWENTY, { 'x-junction-cost': 'please' })).body.extensions).toBeUndefined();
  });
});

describe('metrics', () => {
  it('/metrics has the estimated and actual costs, and the refusals by whose limit refused', async () => {
    const text = await (await fetch(new URL('/metrics', gateway.url))).text();
    const sample = (name: string) => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(sample('junction_gateway_operation_cost_count{kind="estimated"}')).toBeGreaterThanOrEqual(14);
    expect(sample('junction_gateway_operation_cost_count{kind="actual"}')).toBe(1);
    expect(sample('junction_gateway_operation_cost_sum{kind="actual"}')).toBe(6);
    expect(sample('junction_gateway_operation_cost_bucket{kind="actual",le="10"}')).toBe(1);
    expect(sample('junction_gateway_cost_refused_total{budget="anonymous"}')).toBe(2);
    expect(sample('junction_gateway_cost_refused_total{budget="default"}')).toBe(1);
    expect(sample('junction_gateway_cost_refused_total{budget="contract"}')).toBe(1);
  });
});

describe('the defaults, over Junction’s own subgraphs', { timeout: 60_000 }, () => {
  let stack: TestStack;
  let ours: GatewayProcess;

  beforeAll(async () => {
    stack = await startTestStack(generateWorld({ users: 3, products: 3, reviews: 3 }), { GATEWAY_SECRET: PRODUCTION_SECRET });
    ours = await startGatewayProcess(stack.supergraphSdl, { RATE_LIMIT: 'false' });
  });
  afterAll(async () => {
    await ours?.stop();
    await stack?.close();
  });

  const post = async (query: string, operationName?: string, headers: Record<string, string> = {}) => {
    const response = await fetch(ours.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, operationName }),
    });
    return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as Body };
  };

  it('MAX_COST (50,000) refuses a fan-out of lists the SDL sizes by `first`, without a query to any database', async () => {
    stack.statements.length = 0;
    const fanOut = await post('{ users(first: 100) { reviews(first: 100) { body product { reviews(first: 100) { body author { username } } } } } }');
    // 100 users * (1 + 100 reviews * (1 + product 1 + 100 reviews * (1 + author 1))).
    expect(fanOut.body).toEqual(tooExpensive(fanOut.requestId, 2_020_100, 50_000));
    expect(stack.statements).toEqual([]);
  });

  it('and lets the benchmark query through (23,315)', async () => {
    const bench = await post(BENCHMARK_QUERY, 'TestQuery', { 'x-junction-cost': 'estimated' });
    expect(bench.status).toBe(200);
    expect(bench.body.errors).toBeUndefined();
    expect(bench.body.extensions).toEqual({ cost: { estimated: 23_315 } });
  });

  it('keeps extensions.cost when authorization puts back the fields it took out', async () => {
    const answered = await post('{ users(first: 2) { id email } }', undefined, { 'x-junction-cost': 'actual' });
    expect(answered.body.data).toEqual({ users: [{ id: '1', email: null }, { id: '2', email: null }] });
    expect(answered.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    // Priced as sent (email included, free as a scalar); measured over what ran.
    expect(answered.body.extensions).toEqual({ cost: { estimated: 2, actual: 2 } });
  });
});
