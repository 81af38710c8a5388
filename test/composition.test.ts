import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  composeSupergraph,
  expandEnv,
  formatCompositionProblem,
  readSupergraphConfig,
  type CompositionProblem,
} from '#lib/supergraph.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';
// The routing URL variables supergraph.yaml reads, removed so the runner's environment cannot change the result.
const URL_VARIABLES = ['ACCOUNTS_URL', 'PRODUCTS_URL', 'INVENTORY_URL', 'REVIEWS_URL'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'junction-composition-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A temp folder with `<name>.graphql` per subgraph and a supergraph.yaml listing them; returns the YAML path. */
async function writeSupergraph(name: string, subgraphs: Record<string, string>, version = '=2.14.4'): Promise<string> {
  const lines = [`federation_version: ${version}`, 'subgraphs:'];
  for (const [subgraph, sdl] of Object.entries(subgraphs)) {
    await writeFile(join(dir, `${name}-${subgraph}.graphql`), `${LINK}\n\n${sdl}\n`);
    lines.push(
      `  ${subgraph}:`,
      `    routing_url: http://${subgraph}.internal/graphql`,
      '    schema:',
      `      file: ./${name}-${subgraph}.graphql`,
    );
  }
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

async function problemsOf(file: string): Promise<CompositionProblem[]> {
  const result = await composeSupergraph(await readSupergraphConfig(file, {}));
  if (result.ok) throw new Error('expected composition to fail');
  return result.problems;
}

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

describe('expandEnv', () => {
  it('replaces ${env.NAME} and ${env.NAME:-default} anywhere in the text', () => {
    const env = { HOST: 'accounts', PORT: '', EMPTY: '' };
    expect(expandEnv('http://${env.HOST}:${env.PORT:-4001}/${env.PATH_PART:-graphql}', env)).toBe(
      'http://accounts:4001/graphql',
    );
    expect(expandEnv('${env.EMPTY:-}|${env.UNSET:-a:-b}', env)).toBe('|a:-b');
    expect(expandEnv('no variables, ${HOME} and $env.X left alone', {})).toBe('no variables, ${HOME} and $env.X left alone');
  });

  it('fails listing every variable that is unset or empty and has no default, once each', () => {
    expect(() => expandEnv('${env.A} ${env.B:-b} ${env.C} ${env.A} ${env.D}', { D: 'd', C: '' })).toThrow(
      'Environment variables not set, with no ${env.NAME:-default} to fall back on: A, C.',
    );
  });

  it('reports every missing variable in a supergraph.yaml, naming the file', async () => {
    const file = join(dir, 'missing-env.yaml');
    await writeFile(
      file,
      [
        'federation_version: =2.14.4',
        'subgraphs:',
        '  accounts:',
        '    routing_url: ${env.ACCOUNTS_URL}',
        '    schema:',
        '      file: ${env.SCHEMA_DIR}/accounts.graphql',
        '  products:',
        '    routing_url: ${env.PRODUCTS_URL:-http://localhost:4002/graphql}',
        '    schema:',
        '      file: ./products.graphql',
      ].join('\n'),
    );
    await expect(readSupergraphConfig(file, {})).rejects.toThrow(
      `${file}: Environment variables not set, with no \${env.NAME:-default} to fall back on: ACCOUNTS_URL, SCHEMA_DIR.`,
    );
  });
});

describe('supergraph.yaml validation', () => {
  it('rejects a pinned federation_version other than the installed composition, saying what to write', async () => {
    const file = await writeSupergraph('pinned', { a: 'type Query { a: Int }' }, '=2.9.3');
    await expect(readSupergraphConfig(file, {})).rejects.toThrow(
      `Invalid supergraph config ${file}:\n` +
        '  federation_version: pins =2.9.3 but @apollo/composition 2.14.4 is installed: write "=2.14.4"',
    );
  });

  it('accepts "2" and an older "2.x.y", and rejects other federation_version values', async () => {
    for (const version of ['2', '2.7.0', '"=2.14.4"']) {
      const file = await writeSupergraph('accepted', { a: 'type Query { a: Int }' }, version);
      expect((await readSupergraphConfig(file, {})).federationVersion).toBe(version.replaceAll('"', ''));
    }
    const file = await writeSupergraph('rejected', { a: 'type Query { a: Int }' }, 'latest');
    await expect(readSupergraphConfig(file, {})).rejects.toThrow(
      'federation_version: must be "=2.x.y" (exactly), "2.x.y" (at least) or "2"; got "latest"',
    );
  });

  it('lists every problem with its key: URLs, schema sources, graphref, unknown keys', async () => {
    const file = join(dir, 'invalid.yaml');
    await writeFile(
      file,
      [
        'federation_version: 2',
        'subgraphs:',
        '  accounts:',
        '    routing_url: localhost:4001',
        '    schema:',
        '      file: ./accounts.graphql',
        '      subgraph_url: http://localhost:4001/graphql',
        '  products:',
        '    schema:',
        '      graphref: junction@current',
        '      subgraph: products',
        '  reviews:',
        '    routing_url: http://localhost:4004/graphql',
        '    routing: fast',
        '    schema: {}',
      ].join('\n'),
    );
    await expect(readSupergraphConfig(file, {})).rejects.toThrow(
      [
        `Invalid supergraph config ${file}:`,
        '  subgraphs.accounts.routing_url: must be an http(s) URL',
        '  subgraphs.accounts.schema: needs exactly one of file or subgraph_url',
        '  subgraphs.products.routing_url: is required',
        '  subgraphs.products.schema.graphref: fetching a subgraph from GraphOS is not supported here; use file or subgraph_url',
        '  subgraphs.reviews.schema: needs exactly one of file or subgraph_url',
        '  subgraphs.reviews: unknown key "routing"',
      ].join('\n'),
    );
  });

  it('says so when the file is missing', async () => {
    await expect(readSupergraphConfig(join(dir, 'nowhere.yaml'), {})).rejects.toThrow(
      `Cannot read ${join(dir, 'nowhere.yaml')}: no such file.`,
    );
  });
});

describe('a broken subgraph', () => {
  it('with a field of an unknown type: INVALID_GRAPHQL for that subgraph, at the line', async () => {
    const file = await writeSupergraph('unknown-type', {
      accounts: 'type Query {\n  me: Viewer\n}',
      products: 'type Query {\n  products: [String!]!\n}',
    });
    const problems = await problemsOf(file);
    const sdl = join(dir, 'unknown-type-accounts.graphql');
    expect(problems).toEqual([
      { subgraphs: ['accounts'], code: 'INVALID_GRAPHQL', message: 'Unknown type Viewer', locations: [`${sdl}:4:7`] },
    ]);
    expect(problems.map(formatCompositionProblem)).toEqual([
      `error[accounts] INVALID_GRAPHQL: Unknown type Viewer (at ${sdl}:4:7)`,
    ]);
  });

  it('with a non-shareable field defined in two subgraphs: INVALID_FIELD_SHARING naming both', async () => {
    const file = await writeSupergraph('sharing', {
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
        locations: [`${join(dir, 'sharing-accounts.graphql')}:4:3`, `${join(dir, 'sharing-reviews.graphql')}:4:3`],
      },
    ]);
    expect(formatCompositionProblem(problems[0]!)).toMatch(/^error\[accounts, reviews\] INVALID_FIELD_SHARING: Non-shareable/);
  });

  it('with a field the query planner cannot reach: SATISFIABILITY_ERROR naming the subgraphs in its message', async () => {
    const file = await writeSupergraph('unsatisfiable', {
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
    const file = await writeSupergraph('unreadable', {
      accounts: 'type Query {\n  me: String',
      products: 'type Query {\n  products: [String!]!\n}',
    });
    await rm(join(dir, 'unreadable-products.graphql'));
    expect(await problemsOf(file)).toEqual([
      {
        subgraphs: ['accounts'],
        code: 'INVALID_GRAPHQL',
        message: 'Syntax Error: Expected Name, found <EOF>.',
        locations: [`${join(dir, 'unreadable-accounts.graphql')}:5:1`],
      },
      {
        subgraphs: ['products'],
        code: 'SCHEMA_FILE_UNREADABLE',
        message: `Cannot read ${join(dir, 'unreadable-products.graphql')}: no such file.`,
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
    const file = await writeSupergraph('by-url', { accounts: 'type Query {\n  me: String\n}' });
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
    const file = await writeSupergraph('cli-broken', {
      accounts: 'type Query {\n  me: Viewer\n}',
      products: 'type Query {\n  products: [String!]!\n}',
    });
    const output = join(dir, 'cli-broken.graphql');

    const run = await runCompose(['--config', file, '--output', output]);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error\[accounts\] INVALID_GRAPHQL: Unknown type Viewer \(at .*:4:7\)$/m);
    expect(run.stdout).toBe('');
    await expect(readFile(output, 'utf8')).rejects.toThrow('ENOENT');
  });

  it('on an invalid config prints the message without a stack trace and exits 1', async () => {
    const file = await writeSupergraph('cli-pinned', { a: 'type Query { a: Int }' }, '=2.0.0');
    const run = await runCompose(['--config', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `Invalid supergraph config ${file}:\n` +
        '  federation_version: pins =2.0.0 but @apollo/composition 2.14.4 is installed: write "=2.14.4"\n',
    );
  });

  it('writes the supergraph, then leaves it alone; --check tells stale from up to date', async () => {
    const output = join(dir, 'cli-supergraph.graphql');

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
