import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { contractSupergraph, readContractsConfig } from '#tooling/contracts.js';

/*
 * npm run dev's contracts: each composition also makes the contracts of the
 * contracts.yaml beside the supergraph config, as npm run compose does, into
 * contracts/<name>.graphql; the gateway hot-reloads each file it serves.
 */

export type ContractFiles = Map<string, { file: string; sdl: string }>;

/** The contracts.yaml beside a supergraph config (optional), and the folder its contracts go to. */
export function contractsPaths(configFile: string): { config: string; dir: string } {
  return { config: join(dirname(configFile), 'contracts.yaml'), dir: join(dirname(configFile), 'contracts') };
}

/** Each contract of `configFile`'s contracts.yaml cut from `supergraphSdl`, by name; throws, naming the contract, when one cannot be made. */
export async function composeContracts(configFile: string, supergraphSdl: string): Promise<ContractFiles> {
  const { config, dir } = contractsPaths(configFile);
  const { contracts } = await readContractsConfig(config, { optional: true });
  return new Map(contracts.map((contract) => [contract.name, { file: join(dir, `${contract.name}.graphql`), sdl: contractSupergraph(supergraphSdl, contract) }]));
}

/** Writes the contracts whose file differs; returns the files written. */
export async function writeContracts(contracts: ContractFiles): Promise<string[]> {
  const written: string[] = [];
  for (const { file, sdl } of contracts.values()) {
    if ((await readFile(file, 'utf8').catch(() => undefined)) === sdl) continue;
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, sdl);
    written.push(file);
  }
  return written;
}
