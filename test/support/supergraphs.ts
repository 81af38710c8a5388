import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { composeSupergraph, readSupergraphConfig, type CompositionProblem } from '#tooling/supergraph.js';

export const LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

/**
 * A temp folder for a test file's supergraph configs, made before its tests
 * and removed after. `write` puts `<name>-<subgraph>.graphql` per subgraph and
 * a `<name>.yaml` listing them there, and returns the YAML's path.
 */
export function scratchSupergraphs() {
  const scratch = {
    dir: '',
    async write(name: string, subgraphs: Record<string, string>, version = '=2.14.4'): Promise<string> {
      const lines = [`federation_version: ${version}`, 'subgraphs:'];
      for (const [subgraph, sdl] of Object.entries(subgraphs)) {
        await writeFile(join(scratch.dir, `${name}-${subgraph}.graphql`), `${LINK}\n\n${sdl}\n`);
        lines.push(
          `  ${subgraph}:`,
          `    routing_url: http://${subgraph}.internal/graphql`,
          '    schema:',
          `      file: ./${name}-${subgraph}.graphql`,
        );
      }
      const file = join(scratch.dir, `${name}.yaml`);
      await writeFile(file, `${lines.join('\n')}\n`);
      return file;
    },
  };
  beforeAll(async () => {
    scratch.dir = await mkdtemp(join(tmpdir(), 'junction-composition-'));
  });
  afterAll(async () => {
    await rm(scratch.dir, { recursive: true, force: true });
  });
  return scratch;
}

/** The problems composing a config reports; fails if it composes. */
export async function problemsOf(file: string): Promise<CompositionProblem[]> {
  const result = await composeSupergraph(await readSupergraphConfig(file, {}));
  if (result.ok) throw new Error('expected composition to fail');
  return result.problems;
}
