import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkProposedSchema, publishSchema } from '../../scripts/schema/schema-workflow.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A temporary copy of the repository's schema/ (the published baseline
 * included), supergraph.yaml and trusted-documents/, for schema changes made
 * on purpose; the schema commands run there as they do in the repository.
 */
export type SchemaWorkspace = {
  dir: string;
  config: string;
  /** Rewrites schema/<subgraph>.graphql; throws if the edit changes nothing (a stale test). */
  edit(subgraph: string, change: (sdl: string) => string): Promise<void>;
  /** Replaces trusted-documents/ with one manifest per client. */
  registerOperations(operations: Record<string, { name: string; body: string }[]>): Promise<void>;
  check(): ReturnType<typeof checkProposedSchema>;
  publish(now?: Date): ReturnType<typeof publishSchema>;
  remove(): Promise<void>;
};

export async function createSchemaWorkspace(): Promise<SchemaWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-schema-'));
  await Promise.all([
    cp(join(root, 'schema'), join(dir, 'schema'), { recursive: true }),
    cp(join(root, 'supergraph.yaml'), join(dir, 'supergraph.yaml')),
    cp(join(root, 'trusted-documents'), join(dir, 'trusted-documents'), { recursive: true }),
  ]);
  const config = join(dir, 'supergraph.yaml');
  return {
    dir,
    config,
    async edit(subgraph, change) {
      const file = join(dir, 'schema', `${subgraph}.graphql`);
      const before = await readFile(file, 'utf8');
      const after = change(before);
      if (after === before) throw new Error(`the edit changed nothing in ${subgraph}.graphql`);
      await writeFile(file, after);
    },
    async registerOperations(operations) {
      const documents = join(dir, 'trusted-documents');
      await rm(documents, { recursive: true, force: true });
      await mkdir(documents);
      for (const [client, list] of Object.entries(operations)) {
        const manifest = {
          format: 'apollo-persisted-query-manifest',
          version: 1,
          operations: list.map(({ name, body }, index) => ({ id: `${client}-${index}`, name, type: 'query', body })),
        };
        await writeFile(join(documents, `${client}.json`), JSON.stringify(manifest));
      }
    },
    check: () => checkProposedSchema({ configFile: config }),
    publish: (now) => publishSchema({ configFile: config }, now),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
