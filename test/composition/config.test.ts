import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandEnv, readSupergraphConfig } from '#tooling/supergraph.js';
import { scratchSupergraphs } from '../support/supergraphs.js';

/** Reading supergraph.yaml as rover does: env expansion and validation. */
const scratch = scratchSupergraphs();

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
    const file = join(scratch.dir, 'missing-env.yaml');
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
    const file = await scratch.write('pinned', { a: 'type Query { a: Int }' }, '=2.9.3');
    await expect(readSupergraphConfig(file, {})).rejects.toThrow(
      `Invalid supergraph config ${file}:\n` +
        '  federation_version: pins =2.9.3 but @apollo/composition 2.14.4 is installed: write "=2.14.4"',
    );
  });

  it('accepts "2" and an older "2.x.y", and rejects other federation_version values', async () => {
    for (const version of ['2', '2.7.0', '"=2.14.4"']) {
      const file = await scratch.write('accepted', { a: 'type Query { a: Int }' }, version);
      expect((await readSupergraphConfig(file, {})).federationVersion).toBe(version.replaceAll('"', ''));
    }
    const file = await scratch.write('rejected', { a: 'type Query { a: Int }' }, 'latest');
    await expect(readSupergraphConfig(file, {})).rejects.toThrow(
      'federation_version: must be "=2.x.y" (exactly), "2.x.y" (at least) or "2"; got "latest"',
    );
  });

  it('lists every problem with its key: URLs, schema sources, graphref, unknown keys', async () => {
    const file = join(scratch.dir, 'invalid.yaml');
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
    await expect(readSupergraphConfig(join(scratch.dir, 'nowhere.yaml'), {})).rejects.toThrow(
      `Cannot read ${join(scratch.dir, 'nowhere.yaml')}: no such file.`,
    );
  });
});

