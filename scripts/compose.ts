import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { contractSupergraph, readContractsConfig } from '#tooling/contracts.js';
import { composeSupergraph, formatCompositionProblem, readSupergraphConfig } from '#tooling/supergraph.js';
import { fail, parseCommandLine } from './command-line.js';

const USAGE = `Usage: npm run compose -- [--config FILE] [--output FILE] [--contracts FILE] [--check]

Composes the subgraphs listed in a rover-format supergraph config into a supergraph SDL,
and each contract of the contracts config into contracts/<name>.graphql beside that config.
  --config FILE     the supergraph config (default: supergraph.yaml)
  --output FILE     where to write the supergraph SDL (default: supergraph.graphql)
  --contracts FILE  the contracts config (default: contracts.yaml, when there is one)
  --check           write nothing; fail when an output file is not what composition gives now`;


const values = parseCommandLine(USAGE, {
  config: { type: 'string', default: 'supergraph.yaml' },
  output: { type: 'string', default: 'supergraph.graphql' },
  contracts: { type: 'string' },
  check: { type: 'boolean', default: false },
});
const { config: configFile, output } = values;

const config = await readSupergraphConfig(configFile).catch((error: Error) => fail(error.message));
// contracts.yaml is optional; a --contracts file that is missing is a mistake.
const contractsFile = values.contracts ?? 'contracts.yaml';
const contracts = await readContractsConfig(contractsFile, { optional: values.contracts === undefined }).catch((error: Error) =>
  fail(error.message),
);
const result = await composeSupergraph(config);
if (!result.ok) {
  fail(`${result.problems.map(formatCompositionProblem).join('\n')}\nComposition of ${configFile} failed.`);
}
for (const hint of result.hints) process.stderr.write(`${hint}\n`);

const readIfThere = (file: string) =>
  readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    return fail(`Cannot read ${file}: ${error.message}`);
  });
const current = await readIfThere(output);
const subgraphs = `${config.subgraphs.length} subgraph${config.subgraphs.length === 1 ? '' : 's'}`;

// Each contract's supergraph, beside contracts.yaml; a contract the supergraph cannot give fails the run.
const contractsDir = join(dirname(contractsFile), 'contracts');
const contractFiles = contracts.contracts.map((contract) => {
  try {
    return { file: join(contractsDir, `${contract.name}.graphql`), sdl: contractSupergraph(result.supergraphSdl, contract) };
  } catch (error) {
    return fail(`${(error as Error).message}\nContracts of ${contractsFile} failed.`);
  }
});
const wanted = new Set(contractFiles.map(({ file }) => file));
const leftOver = (await readdir(contractsDir).catch(() => [] as string[]))
  .map((name) => join(contractsDir, name))
  .filter((file) => file.endsWith('.graphql') && !wanted.has(file));
// Relative to the working directory when under it, as npm run compose's other messages are.
const shown = (file: string) => {
  const path = relative(process.cwd(), file);
  return path.startsWith('..') || isAbsolute(path) ? file : path;
};

if (values.check) {
  const flags = [
    ...(configFile === 'supergraph.yaml' ? [] : ['--config', configFile]),
    ...(output === 'supergraph.graphql' ? [] : ['--output', output]),
    ...(values.contracts === undefined ? [] : ['--contracts', values.contracts]),
  ];
  const fix = `run npm run compose${flags.length > 0 ? ` -- ${flags.join(' ')}` : ''}`;
  if (current === undefined) fail(`${output} is stale: ${fix} (the file does not exist).`);
  if (current !== result.supergraphSdl) fail(`${output} is stale: ${fix}.`);
  for (const { file, sdl } of contractFiles) {
    const written = await readIfThere(file);
    if (written !== sdl) fail(`${shown(file)} is stale: ${fix}${written === undefined ? ' (the file does not exist)' : ''}.`);
  }
  for (const file of leftOver) fail(`${shown(file)} is no contract of ${contractsFile}: ${fix}, which removes it.`);
  console.log(`${output} is up to date with ${configFile} (${subgraphs}).`);
} else {
  if (current === result.supergraphSdl) {
    console.log(`Composed ${subgraphs} from ${configFile}: ${output} is unchanged.`);
  } else {
    await writeFile(output, result.supergraphSdl).catch((error: Error) => fail(`Cannot write ${output}: ${error.message}`));
    console.log(`Composed ${subgraphs} from ${configFile} into ${output}.`);
  }
  // Only changes are told: an unchanged contract goes without saying.
  if (contractFiles.length > 0) await mkdir(contractsDir, { recursive: true });
  for (const { file, sdl } of contractFiles) {
    if ((await readIfThere(file)) === sdl) continue;
    await writeFile(file, sdl).catch((error: Error) => fail(`Cannot write ${file}: ${error.message}`));
    console.log(`Wrote the contract ${shown(file)} from ${contractsFile}.`);
  }
  for (const file of leftOver) {
    await rm(file);
    console.log(`Removed ${shown(file)}: ${contractsFile} has no such contract.`);
  }
}
