import { relative } from 'node:path';
import { publishSchema } from './schema/schema-workflow.js';
import { fail, parseCommandLine } from './command-line.js';

const USAGE = `Usage: npm run schema:publish -- [--config FILE] [--published DIR]

Composes the subgraphs and records the API schema (and its supergraph) as published, with a
changelog entry listing the changes since the last publication. Writes nothing without changes.
  --config FILE    the supergraph config (default: supergraph.yaml)
  --published DIR  where the published schema lives (default: schema/published beside the config)`;


const values = parseCommandLine(USAGE, {
  config: { type: 'string', default: 'supergraph.yaml' },
  published: { type: 'string' },
});

const result = await publishSchema({ configFile: values.config, publishedDir: values.published }).catch((error: Error) =>
  fail(error.message, 1),
);
const dir = relative(process.cwd(), result.publishedDir) || '.';
if (!result.published) {
  console.log(`No changes since the last publication: ${dir} is unchanged.`);
} else if (result.entry.initial) {
  console.log(`Published the schema for the first time in ${dir}.`);
} else {
  const { breaking, dangerous, safe } = result.entry.summary;
  console.log(`Published the schema in ${dir}: ${breaking} breaking, ${dangerous} dangerous, ${safe} safe.`);
  for (const change of result.changes) console.log(`  ${change.severity}: ${change.message}`);
}
