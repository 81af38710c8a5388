import { formatCheckReport } from './schema/check-report.js';
import { checkProposedSchema } from './schema/schema-workflow.js';
import { fail, parseCommandLine } from './command-line.js';

const USAGE = `Usage: npm run schema:check -- [--config FILE] [--published DIR] [--against git:REF] [--documents DIR] [--json]

Composes the subgraphs and compares the API schema with the published one: each change is
breaking, dangerous or safe, with the registered operations (trusted documents) that use it.
Fails (exit 1) when a registered operation uses a breaking change or no longer validates.
  --config FILE      the supergraph config (default: supergraph.yaml)
  --published DIR    the published schema (default: schema/published beside the config)
  --against git:REF  compare with what was published at a git ref instead (or, if nothing
                     was, with the subgraphs' SDL at that ref, composed)
  --documents DIR    registered operations, <client>.json per client (default: trusted-documents
                     beside the config)
  --json             print the report as JSON`;


const values = parseCommandLine(USAGE, {
  config: { type: 'string', default: 'supergraph.yaml' },
  published: { type: 'string' },
  against: { type: 'string' },
  documents: { type: 'string' },
  json: { type: 'boolean', default: false },
});
if (values.against !== undefined && !/^git:\S+$/.test(values.against)) {
  fail(`--against takes git:<ref>, e.g. git:main; got "${values.against}".\n\n${USAGE}`, 2);
}

const report = await checkProposedSchema({
  configFile: values.config,
  publishedDir: values.published,
  documentsDir: values.documents,
  against: values.against,
}).catch((error: Error) => fail(error.message, 1));

process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatCheckReport(report));
process.exitCode = report.passed ? 0 : 1;
