import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { readContractsConfig } from '#tooling/contracts.js';
import { apiSdlOf } from './api-schema.js';
import { schemaCoordinates } from './schema-coordinates.js';

/**
 * What the docs need to know of each contract: its name, what it is for, and
 * which schema coordinates its API schema has. The contract's supergraph is
 * what `npm run compose` writes to `contracts/<name>.graphql` (the full
 * supergraph with `@inaccessible` on what the contract leaves out) and the
 * gateway serves, so the docs show what partners are served (and check
 * their operations against it).
 */
export type ContractSchema = { name: string; description: string; schema: GraphQLSchema; coordinates: ReadonlySet<string> };

export const CONTRACTS_FILE = 'contracts.yaml';
export const CONTRACTS_DIR = 'contracts';

const exists = (file: string) => access(file).then(
  () => true,
  (error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return false;
    throw error;
  },
);

/** The contracts of `<dir>/contracts.yaml`, in its order; none when there is no such file. */
export async function readContractSchemas(dir: string): Promise<ContractSchema[]> {
  const configFile = join(dir, CONTRACTS_FILE);
  if (!(await exists(configFile))) return [];
  const { contracts } = await readContractsConfig(configFile);
  return Promise.all(
    contracts.map(async ({ name, description }) => {
      const file = join(dir, CONTRACTS_DIR, `${name}.graphql`);
      const supergraphSdl = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        throw new Error(`${CONTRACTS_FILE} names the contract ${name} but ${file} is missing: run npm run compose.`);
      });
      const schema = buildSchema(apiSdlOf(supergraphSdl));
      return { name, description: description ?? '', schema, coordinates: schemaCoordinates(schema) };
    }),
  );
}
