import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** npm run compose writes each contract of a contracts config to contracts/<name>.graphql beside it, and --check checks them. */
const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'junction-compose-contracts-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

type Run = { code: number; stdout: string; stderr: string };

function runCompose(args: string[]): Promise<Run> {
  const env = { ...process.env };
  for (const name of ['ACCOUNTS_URL', 'PRODUCTS_URL', 'INVENTORY_URL', 'REVIEWS_URL']) delete env[name];
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/compose.ts', ...args], { cwd: root, env }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run compose with contracts', () => {
  it('writes each contract beside its config, tells only of changes, and --check finds stale and stray ones', async () => {
    const config = join(dir, 'contracts.yaml');
    const output = join(dir, 'supergraph.graphql');
    const partner = join(dir, 'contracts', 'partner.graphql');
    await writeFile(config, 'contracts:\n  partner:\n    include: [partner]\n    exclude: [internal]\n');
    const args = ['--output', output, '--contracts', config];

    const first = await runCompose(args);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`Composed 4 subgraphs from supergraph.yaml into ${output}.\nWrote the contract ${join(dir, 'contracts', 'partner.graphql')} from ${config}.\n`);
    expect(await readFile(partner, 'utf8')).toBe(await readFile(join(root, 'contracts', 'partner.graphql'), 'utf8'));
    expect((await runCompose(args)).stdout).toBe(`Composed 4 subgraphs from supergraph.yaml: ${output} is unchanged.\n`);
    expect(await runCompose([...args, '--check'])).toEqual({ code: 0, stdout: `${output} is up to date with supergraph.yaml (4 subgraphs).\n`, stderr: '' });

    await writeFile(partner, 'type Query { stale: Int }\n');
    const stale = await runCompose([...args, '--check']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe(`${partner} is stale: run npm run compose -- --output ${output} --contracts ${config}.\n`);

    await runCompose(args);
    const stray = join(dir, 'contracts', 'reseller.graphql');
    await writeFile(stray, 'type Query { gone: Int }\n');
    expect((await runCompose([...args, '--check'])).stderr).toBe(
      `${stray} is no contract of ${config}: run npm run compose -- --output ${output} --contracts ${config}, which removes it.\n`,
    );
    expect((await runCompose(args)).stdout).toMatch(new RegExp(`^Removed ${stray}: ${config} has no such contract\\.$`, 'm'));
    await expect(readFile(stray, 'utf8')).rejects.toThrow('ENOENT');
  });

  it('fails, naming the contract, when it would leave no query field; and on an invalid config', async () => {
    const config = join(dir, 'empty.yaml');
    await writeFile(config, 'contracts:\n  nobody:\n    include: [nobody]\n');
    const run = await runCompose(['--output', join(dir, 'empty.graphql'), '--contracts', config]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `Contract "nobody":\n  The contract leaves Query with no fields: tag at least one root field.\nContracts of ${config} failed.\n`,
    );

    await writeFile(config, 'contracts:\n  Partner:\n    include: partner\n  other: {}\n');
    const invalid = await runCompose(['--output', join(dir, 'empty.graphql'), '--contracts', config]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe(
      `${config} is not a valid contracts config:\n` +
        '  contracts.Partner: contract names are lowercase letters, digits, - and _\n' +
        '  contracts.Partner.include: must be a list of tags, e.g. [partner]\n' +
        '  contracts.other: needs include or exclude tags\n',
    );
  });
});
