import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, root, runtimeGraph } from '../support/container-files.js';

/*
 * Who may import whom, read from the sources (test/support/container-files.ts
 * resolves the #gateway/, #lib/ and #tooling/ aliases):
 *
 * - lib/ is the runtime the gateway and the subgraphs share; what only the
 *   subgraphs run (Apollo Server, @apollo/subgraph) is in lib/subgraph/, and
 *   the gateway loads none of it, nor the build-time tooling/ or a subgraph.
 * - Inside the gateway, execution/ (planning and running a query plan) knows
 *   nothing of HTTP, the request pipeline, its stages or where the supergraph
 *   comes from; fetch/ (calling subgraphs) knows nothing of what calls it.
 *
 * "Loads" follows only what runs (type-only imports are erased); "imports"
 * counts type imports too, since a layer that names another's types depends
 * on it all the same. Cycles are test/architecture/cycles.test.ts's.
 */

/** The .ts files under `dir`, relative to the repository. */
function sourcesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(dir, file))
    .sort();
}

/** Each import of `files` (type imports included) that lands in one of `forbidden`'s folders or packages, as "from -> to". */
function importsInto(files: string[], forbidden: { folders?: string[]; packages?: string[] }): string[] {
  return files.flatMap((file) =>
    importsOf(file)
      .map((target) => ('file' in target ? target.file : target.package))
      .filter(
        (target) =>
          (forbidden.folders ?? []).some((folder) => target.startsWith(`${folder}/`)) ||
          (forbidden.packages ?? []).includes(target),
      )
      .map((target) => `${file} -> ${target}`),
  );
}

const gatewayFiles = sourcesUnder('gateway/src');
const APOLLO_SERVER = ['@apollo/server', '@apollo/subgraph'];

describe('the gateway loads nothing of the subgraphs', () => {
  // Every file under gateway/src, its entry point gateway/src/index.ts among them.
  const gateway = runtimeGraph(gatewayFiles);

  it('starts from gateway/src/index.ts', () => {
    expect(gatewayFiles).toContain('gateway/src/index.ts');
    expect(runtimeGraph(['gateway/src/index.ts']).files.length).toBeGreaterThan(20);
  });

  it('would see them: a subgraph loads Apollo Server through lib/subgraph/', () => {
    const subgraph = runtimeGraph(['subgraphs/accounts/src/index.ts']);
    expect(subgraph.packages).toEqual(expect.arrayContaining(APOLLO_SERVER));
    expect(subgraph.files).toContain('lib/subgraph/apollo-handler.ts');
  });

  it('loads neither @apollo/server nor @apollo/subgraph', () => {
    expect(gateway.packages.filter((name) => APOLLO_SERVER.includes(name))).toEqual([]);
  });

  it('reaches no file of lib/subgraph/, tooling/ or subgraphs/', () => {
    const outside = gateway.files.filter((file) => /^(lib\/subgraph|tooling|subgraphs)\//.test(file));
    expect(outside).toEqual([]);
  });
});

describe('lib/ is shared runtime', () => {
  const shared = sourcesUnder('lib').filter((file) => !file.startsWith('lib/subgraph/'));

  it('has shared files to check', () => {
    expect(shared).toContain('lib/http.ts');
    expect(shared).toContain('lib/errors.ts');
  });

  it('imports nothing from lib/subgraph/, tooling/, gateway/ or subgraphs/', () => {
    expect(importsInto(shared, { folders: ['lib/subgraph', 'tooling', 'gateway', 'subgraphs'] })).toEqual([]);
  });

  it('loads neither @apollo/server nor @apollo/subgraph outside lib/subgraph/', () => {
    const loading = shared.filter((file) => runtimeGraph([file]).packages.some((name) => APOLLO_SERVER.includes(name)));
    expect(loading).toEqual([]);
  });
});

describe("the gateway's layers", () => {
  const inFolder = (folder: string) => gatewayFiles.filter((file) => file.startsWith(`gateway/src/${folder}/`));

  it('execution/ imports nothing from http/, pipeline/, stages/ or supergraph/, nor undici', () => {
    const execution = inFolder('execution');
    expect(execution.length).toBeGreaterThan(0);
    const folders = ['http', 'pipeline', 'stages', 'supergraph'].map((folder) => `gateway/src/${folder}`);
    expect(importsInto(execution, { folders, packages: ['undici'] })).toEqual([]);
  });

  it('fetch/ imports nothing from execution/, http/, pipeline/ or stages/', () => {
    const fetch = inFolder('fetch');
    expect(fetch.length).toBeGreaterThan(0);
    const folders = ['execution', 'http', 'pipeline', 'stages'].map((folder) => `gateway/src/${folder}`);
    expect(importsInto(fetch, { folders })).toEqual([]);
  });
});
