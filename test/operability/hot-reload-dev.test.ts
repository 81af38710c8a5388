import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { codes, post } from '../support/graphql.js';
import { loggedTimes } from '../support/hot-reload.js';
import { freePorts, run } from '../support/processes.js';

/**
 * `npm run dev`: Junction for development. A save of supergraph.yaml (or an
 * SDL it names) composes anew, restarts the subgraphs and hot-reloads the
 * gateway, which keeps its port and never restarts; a save of the subgraphs'
 * code restarts them alone; a save that does not compose is reported and the
 * running supergraph serves on. Here the config
 * is a copy in a temp folder (the repository's files are never touched) that
 * starts without the inventory subgraph and then gains it.
 */
const STOCK = '{ topProducts(first: 2) { upc inStock } }';
const PROCESS_TIMEOUT_MS = 180_000;

let dir: string;
let database: TestDatabase | undefined;
let ports: number[];

function config(subgraphs: Record<string, string>): string {
  const lines = ['federation_version: =2.14.4', 'subgraphs:'];
  for (const [name, file] of Object.entries(subgraphs)) {
    const port = ports[['accounts', 'products', 'inventory'].indexOf(name) + 1];
    lines.push(`  ${name}:`, `    routing_url: http://localhost:${port}/graphql`, '    schema:', `      file: ${file}`);
  }
  return `${lines.join('\n')}\n`;
}
const schema = (name: string) => resolve('schema', `${name}.graphql`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'junction-dev-'));
  if (process.env.DATABASE_URL) database = await createTestDatabase();
  ports = await freePorts(4);
});
afterAll(async () => {
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('npm run dev', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('recomposes on save and hot-reloads the gateway; a save that does not compose leaves it serving', async () => {
    const yaml = join(dir, 'supergraph.yaml');
    const output = join(dir, 'supergraph.graphql');
    await writeFile(yaml, config({ accounts: schema('accounts'), products: schema('products') }));
    // Stands in for subgraphs/ and lib/: a save of code there restarts the subgraphs.
    const code = join(dir, 'code');
    await mkdir(join(code, 'resolvers', '__generated__'), { recursive: true });
    const dev = run('node', ['--import', 'tsx', 'scripts/dev.ts', '--config', yaml, '--output', output, '--code', code], {
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      JUNCTION_DATA_DIR: dir,
      DATABASE_URL: database?.url,
      PORT: String(ports[0]),
    });
    try {
      const [, url] = await dev.waitFor(/Junction \(dev\) is running: (\S+)/, 150_000);
      expect(codes(await post(url!, STOCK))).toEqual(['GRAPHQL_VALIDATION_FAILED']);

      // The inventory subgraph joins: composed, served by restarted subgraphs, reloaded by the same gateway.
      await writeFile(yaml, config({ accounts: schema('accounts'), products: schema('products'), inventory: schema('inventory') }));
      expect(await loggedTimes(dev, 'supergraph reloaded', 1)).toMatchObject({ subgraphs: 3 });
      const stocked = await post<{ topProducts: { upc: string; inStock: boolean }[] }>(url!, STOCK);
      expect(stocked.errors).toBeUndefined();
      expect(stocked.data!.topProducts).toHaveLength(2);
      expect(await readFile(output, 'utf8')).toMatch(/INVENTORY @join__graph/);

      // Code: a TypeScript save restarts the subgraphs, without codegen or composition; other files and codegen's output do not.
      await writeFile(join(code, 'resolvers', 'notes.md'), 'not code');
      await writeFile(join(code, 'resolvers', '__generated__', 'types.ts'), 'export {};');
      await writeFile(join(code, 'resolvers', 'Product.ts'), 'export const saved = 1;');
      await dev.waitFor(/Rebuilt: \S*Product\.ts\n/, 60_000);
      expect(dev.output()).not.toMatch(/Rebuilt: .*(notes\.md|types\.ts)/);
      expect(dev.output().match(/Restarting the subgraphs/g)).toHaveLength(2);
      // The supergraph did not change: the gateway had nothing to reload.
      expect(dev.output().match(/"msg":"supergraph reloaded"/g)).toHaveLength(1);
      expect((await post(url!, STOCK)).errors).toBeUndefined();

      // An SDL that does not parse: reported, nothing restarted, the gateway serves on.
      const broken = join(dir, 'inventory.graphql');
      await writeFile(broken, 'type Product @key(fields: "upc") {');
      await writeFile(yaml, config({ accounts: schema('accounts'), products: schema('products'), inventory: broken }));
      await dev.waitFor(/Composition failed; still serving the previous supergraph:\n.*error\[inventory\] INVALID_GRAPHQL/, 30_000);
      expect((await post(url!, STOCK)).errors).toBeUndefined();
      expect(dev.output().match(/Restarting the subgraphs/g)).toHaveLength(2);
    } finally {
      dev.interrupt();
      await dev.exited;
      await dev.groupGone();
    }
    expect(await dev.exited).toBe(0);
    expect(dev.output()).toMatch(/Stopping Junction/);
  });
});
