import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph, formatCompositionProblem, readSupergraphConfig } from '#tooling/supergraph.js';
import { LINK, problemsOf, scratchSupergraphs } from '../support/supergraphs.js';

/** Composing supergraph.yaml with @apollo/composition, and npm run compose. */
const root = fileURLToPath(new URL('../..', import.meta.url));
// The routing URL variables supergraph.yaml reads, removed so the runner's environment cannot change the result.
const URL_VARIABLES = ['ACCOUNTS_URL', 'PRODUCTS_URL', 'INVENTORY_URL', 'REVIEWS_URL'];
const scratch = scratchSupergraphs();

type Run = { code: number; stdout: string; stderr: string };

function runCompose(args: string[]): Promise<Run> {
  const env = { ...process.env };
  for (const name of URL_VARIABLES) delete env[name];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/compose.ts', ...args],
      { cwd: root, env },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe("the repository's supergraph.yaml", () => {
  it('composes the four subgraphs into exactly the committed supergraph.graphql', async () => {
    const config = await readSupergraphConfig(join(root, 'supergraph.yaml'), {});
    expect(config.federationVersion).toBe('=2.14.4');
    expect(config.subgraphs).toEqual(
      ['accounts', 'products', 'inventory', 'reviews'].map((name, i) => ({
        name,
        routingUrl: `http://localhost:${4001 + i}/graphql`,
        schema: { file: join(root, 'schema', `${name}.graphql`) },
      })),
    );

    const result = await composeSupergraph(config);

    expect(result).toEqual({ ok: true, supergraphSdl: expect.any(String), hints: [] });
    if (!result.ok) return;
    expect(result.supergraphSdl).toBe(await readFile(join(root, 'supergraph.graphql'), 'utf8'));
  });

  it('takes routing URLs from the environment when set', async () => {
    const config = await readSupergraphConfig(join(root, 'supergraph.yaml'), {
      REVIEWS_URL: 'https://reviews.example.com/graphql',
    });
    expect(config.subgraphs.map((subgraph) => subgraph.routingUrl)).toEqual([
      'http://localhost:4001/graphql',
      'http://localhost:4002/graphql',
      'http://localhost:4003/graphql',
      'https://reviews.example.com/graphql',
    ]);
  });
});

describe('a broken subgraph', () => {
  it('with a field of an unknown type: INVALID_GRAPHQL for that subgraph, at the line', async () => {
    const file = await scratch.write('unknown-type', {
      accounts: 'type Query {\n  me: Viewer\n}',
      products: 'type Query {\n  products: [String!]!\n}',
    });
    const problems = await problemsOf(file);
    const sdl = join(scratch.dir, 'unknown-type-accounts.graphql');
    expect(problems).toEqual([
      { subgraphs: ['accounts'], code: 'INVALID_GRAPHQL', message: 'Unknown type Viewer', locations: [`${sdl}:4:7`] },
    ]);
    expect(problems.map(formatCompositionProblem)).toEqual([
      `error[accounts] INVALID_GRAPHQL: Unknown type Viewer (at ${sdl}:4:7)`,
    ]);
  });

  it('with a non-shareable field defined in two subgraphs: INVALID_FIELD_SHARING naming both', async () => {
    const file = await scratch.write('sharing', {
      accounts: 'type Query {\n  me: String\n}',
      products: 'type Query {\n  products: [String!]!\n}',
      reviews: 'type Query {\n  me: String\n}',
    });
    const problems = await problemsOf(file);
    expect(problems).toEqual([
      {
        subgraphs: ['accounts', 'reviews'],
        code: 'INVALID_FIELD_SHARING',
        message:
          'Non-shareable field "Query.me" is resolved from multiple subgraphs: it is resolved from subgraphs "accounts" and "reviews" and defined as non-shareable in all of them',
        locations: [`${join(scratch.dir, 'sharing-accounts.graphql')}:4:3`, `${join(scratch.dir, 'sharing-reviews.graphql')}:4:3`],
      },
    ]);
    expect(formatCompositionProblem(problems[0]!)).toMatch(/^error\[accounts, reviews\] INVALID_FIELD_SHARING: Non-shareable/);
  });

  it('with a field the query planner cannot reach: SATISFIABILITY_ERROR naming the subgraphs in its message', async () => {
    const file = await scratch.write('unsatisfiable', {
      accounts: 'type Query {\n  user: User\n}\ntype User @key(fields: "id") {\n  id: ID!\n}',
      reviews: 'type User @key(fields: "id", resolvable: false) {\n  id: ID!\n  reviewCount: Int\n}',
    });
    const [problem, ...others] = await problemsOf(file);
    expect(others).toEqual([]);
    expect(problem).toMatchObject({ subgraphs: ['accounts', 'reviews'], code: 'SATISFIABILITY_ERROR' });
    expect(problem?.message).toContain('cannot be satisfied by the subgraphs');
    expect(problem?.locations).toBeUndefined();
  });

  it('that does not parse or cannot be read: a problem per subgraph, not an exception', async () => {
    const file = await scratch.write('unreadable', {
      accounts: 'type Query {\n  me: String',
      products: 'type Query {\n  products: [String!]!\n}',
    });
    await rm(join(scratch.dir, 'unreadable-products.graphql'));
    expect(await problemsOf(file)).toEqual([
      {
        subgraphs: ['accounts'],
        code: 'INVALID_GRAPHQL',
        message: 'Syntax Error: Expected Name, found <EOF>.',
        locations: [`${join(scratch.dir, 'unreadable-accounts.graphql')}:5:1`],
      },
      {
        subgraphs: ['products'],
        code: 'SCHEMA_FILE_UNREADABLE',
        message: `Cannot read ${join(scratch.dir, 'unreadable-products.graphql')}: no such file.`,
      },
    ]);
  });
});

describe('a subgraph_url schema', () => {
  const reviewsSdl = `${LINK}\ntype Query {\n  topReviewCount: Int\n}\n`;
  const requests: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, body: JSON.parse(body) as unknown });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { _service: { sdl: reviewsSdl } } }));
    });
  });
  let port: number;
  beforeAll(async () => {
    port = await listen(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("is fetched with { _service { sdl } } and composed under the subgraph's routing URL", async () => {
    const file = await scratch.write('by-url', { accounts: 'type Query {\n  me: String\n}' });
    await writeFile(
      file,
      `${await readFile(file, 'utf8')}  reviews:\n    routing_url: http://reviews.internal/graphql\n    schema:\n      subgraph_url: http://127.0.0.1:${port}/graphql\n`,
    );

    const result = await composeSupergraph(await readSupergraphConfig(file, {}));

    expect(requests).toEqual([{ method: 'POST', url: '/graphql', body: { query: '{ _service { sdl } }' } }]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.supergraphSdl).toContain('REVIEWS @join__graph(name: "reviews", url: "http://reviews.internal/graphql")');
    expect(result.supergraphSdl).toMatch(/topReviewCount: Int @join__field\(graph: REVIEWS\)/);
  });

  it('that nothing answers is SUBGRAPH_UNREACHABLE for that subgraph', async () => {
    const closed = createServer();
    const closedPort = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const url = `http://127.0.0.1:${closedPort}/graphql`;

    const result = await composeSupergraph({
      federationVersion: '2',
      subgraphs: [{ name: 'reviews', routingUrl: url, schema: { subgraphUrl: url } }],
    });

    expect(result).toEqual({
      ok: false,
      problems: [
        {
          subgraphs: ['reviews'],
          code: 'SUBGRAPH_UNREACHABLE',
          message: `Cannot fetch the SDL from ${url}: connect ECONNREFUSED 127.0.0.1:${closedPort}.`,
        },
      ],
    });
  });
});

describe('npm run compose', () => {
  it('on a broken config exits 1 with one error line per problem on stderr, writing nothing', async () => {
    const file = await scratch.write('cli-broken', {
      accounts: 'type Query {\n  me: Viewer\n}',
      products: 'type Query {\n  products: [String!]!\n}',
    });
    const output = join(scratch.dir, 'cli-broken.graphql');

    const run = await runCompose(['--config', file, '--output', output]);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error\[accounts\] INVALID_GRAPHQL: Unknown type Viewer \(at .*:4:7\)$/m);
    expect(run.stdout).toBe('');
    await expect(readFile(output, 'utf8')).rejects.toThrow('ENOENT');
  });

  it('on an invalid config prints the message without a stack trace and exits 1', async () => {
    const file = await scratch.write('cli-pinned', { a: 'type Query { a: Int }' }, '=2.0.0');
    const run = await runCompose(['--config', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `Invalid supergraph config ${file}:\n` +
        '  federation_version: pins =2.0.0 but @apollo/composition 2.14.4 is installed: write "=2.14.4"\n',
    );
  });

  it('writes the supergraph, then leaves it alone; --check tells stale from up to date', async () => {
    const output = join(scratch.dir, 'cli-supergraph.graphql');

    const first = await runCompose(['--output', output]);
    expect(first).toEqual({
      code: 0,
      stdout: `Composed 4 subgraphs from supergraph.yaml into ${output}.\n`,
      stderr: '',
    });
    expect(await readFile(output, 'utf8')).toBe(await readFile(join(root, 'supergraph.graphql'), 'utf8'));
    expect((await runCompose(['--output', output])).stdout).toBe(
      `Composed 4 subgraphs from supergraph.yaml: ${output} is unchanged.\n`,
    );

    await writeFile(output, 'type Query { stale: Int }\n');
    const stale = await runCompose(['--output', output, '--check']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe(`${output} is stale: run npm run compose -- --output ${output}.\n`);
    expect(await readFile(output, 'utf8')).toBe('type Query { stale: Int }\n');
  });

  it('--check passes on the committed supergraph.graphql', async () => {
    const run = await runCompose(['--check']);
    expect(run).toEqual({
      code: 0,
      stdout: 'supergraph.graphql is up to date with supergraph.yaml (4 subgraphs).\n',
      stderr: '',
    });
  });
});

