import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { composeSupergraph, formatCompositionProblem, readSupergraphConfig } from '#lib/supergraph.js';

const USAGE = `Usage: npm run compose -- [--config FILE] [--output FILE] [--check]

Composes the subgraphs listed in a rover-format supergraph config into a supergraph SDL.
  --config FILE  the supergraph config (default: supergraph.yaml)
  --output FILE  where to write the supergraph SDL (default: supergraph.graphql)
  --check        write nothing; fail when the output file is not what composition gives now`;

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      config: { type: 'string', default: 'supergraph.yaml' },
      output: { type: 'string', default: 'supergraph.graphql' },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail(`${(error as Error).message}\n\n${USAGE}`, 2);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const { config: configFile, output } = values;

const config = await readSupergraphConfig(configFile).catch((error: Error) => fail(error.message));
const result = await composeSupergraph(config);
if (!result.ok) {
  fail(`${result.problems.map(formatCompositionProblem).join('\n')}\nComposition of ${configFile} failed.`);
}
for (const hint of result.hints) process.stderr.write(`${hint}\n`);

const current = await readFile(output, 'utf8').catch((error: NodeJS.ErrnoException) => {
  if (error.code === 'ENOENT') return undefined;
  return fail(`Cannot read ${output}: ${error.message}`);
});
const subgraphs = `${config.subgraphs.length} subgraph${config.subgraphs.length === 1 ? '' : 's'}`;

if (values.check) {
  const flags = [
    ...(configFile === 'supergraph.yaml' ? [] : ['--config', configFile]),
    ...(output === 'supergraph.graphql' ? [] : ['--output', output]),
  ];
  const fix = `run npm run compose${flags.length > 0 ? ` -- ${flags.join(' ')}` : ''}`;
  if (current === undefined) fail(`${output} is stale: ${fix} (the file does not exist).`);
  if (current !== result.supergraphSdl) fail(`${output} is stale: ${fix}.`);
  console.log(`${output} is up to date with ${configFile} (${subgraphs}).`);
} else if (current === result.supergraphSdl) {
  console.log(`Composed ${subgraphs} from ${configFile}: ${output} is unchanged.`);
} else {
  await writeFile(output, result.supergraphSdl).catch((error: Error) => fail(`Cannot write ${output}: ${error.message}`));
  console.log(`Composed ${subgraphs} from ${configFile} into ${output}.`);
}
