import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { loadEnv } from '#lib/env.js';
import { loadTrustedDocuments } from '#gateway/stages/persisted-documents/persisted-documents.js';
import { readChangelog } from './schema/changelog.js';
import { readContractSchemas } from './schema/contract-schemas.js';
import { NO_OPERATIONS, readExampleVariables, type Registered } from './schema/docs-operations.js';
import { DEFAULT_ENDPOINT, docsSettings } from './schema/docs-settings.js';
import { buildDocsSite, writeDocsSite } from './schema/docs-site.js';
import { composeVersion, readPublished } from './schema/published-schema.js';
import { defaultDocumentsDir, defaultPublishedDir } from './schema/schema-workflow.js';
import { fail, parseCommandLine } from './command-line.js';

const USAGE = `Usage: npm run schema:docs -- [--out DIR] [--endpoint URL] [--current] [--config FILE] [--published DIR] [--documents DIR]

Writes the partners' API docs as a static site: for the full API and for each contract of
contracts.yaml (in <contract>/), an overview (index.html), a Getting started page (endpoint,
authentication, limits, error codes, registered operations with example variables), a page per
type (types/<Type>.html) and a search index; and changelog.html. Self-contained: open index.html
from disk or serve the folder anywhere.
  --out DIR        where to write (default: build/docs)
  --endpoint URL   the GraphQL endpoint partners call (default: ${DEFAULT_ENDPOINT})
  --current        document the schema composed from the subgraphs now, not the published one
  --config FILE    the supergraph config; contracts.yaml and contracts/ are beside it
                   (default: supergraph.yaml)
  --published DIR  the published schema and changelog (default: schema/published beside the config)
  --documents DIR  the registered operations, <client>.json, and their example variables,
                   examples/<client>.json (default: trusted-documents beside the config)
The limits, credentials and clients the Getting started pages give are read from the environment,
as the gateway reads them: RATE_LIMIT_KEY_BURST, MAX_COST, CONTRACT_MAX_COST, CONTRACT_CLIENTS...`;

const values = parseCommandLine(USAGE, {
  out: { type: 'string', default: 'build/docs' },
  endpoint: { type: 'string', default: DEFAULT_ENDPOINT },
  current: { type: 'boolean', default: false },
  config: { type: 'string', default: 'supergraph.yaml' },
  published: { type: 'string' },
  documents: { type: 'string' },
});

if (!URL.canParse(values.endpoint) || !/^https?:$/.test(new URL(values.endpoint).protocol)) {
  fail(`--endpoint must be an http(s) URL, not "${values.endpoint}".\n\n${USAGE}`, 2);
}

const settings = docsSettings(loadEnv(), values.endpoint);
const publishedDir = values.published ?? defaultPublishedDir(values.config);
/** A path as the user would write it: relative to the working directory when inside it. */
const shown = (path: string) => {
  const local = relative(process.cwd(), path);
  return local === '' ? '.' : local.startsWith('..') ? resolve(path) : local;
};

/** The registered operations: a named directory must be there, the default one may be absent. */
async function readRegistered(): Promise<Registered> {
  const dir = values.documents ?? defaultDocumentsDir(values.config);
  if (values.documents === undefined && !existsSync(dir)) return NO_OPERATIONS;
  const [documents, examples] = await Promise.all([loadTrustedDocuments(dir), readExampleVariables(dir)]);
  return { documents, examples };
}

async function generate(): Promise<number> {
  const [version, changelog, contracts, registered] = await Promise.all([
    values.current ? composeVersion(values.config) : readPublished(publishedDir),
    readChangelog(publishedDir),
    readContractSchemas(dirname(values.config)),
    readRegistered(),
  ]);
  if (!version) throw new Error(`Nothing is published in ${shown(publishedDir)} yet: run npm run schema:publish, or document the current schema with --current.`);
  const site = buildDocsSite({ version, source: values.current ? 'current' : 'published', contracts, changelog, settings, registered });
  for (const warning of site.warnings) process.stderr.write(`warning: ${warning}\n`);
  await writeDocsSite(values.out, site.files);
  return site.files.filter((file) => file.path.endsWith('.html')).length;
}

const count = await generate().catch((error: Error) => fail(error.message, 1));
console.log(`Wrote ${count} pages to ${shown(values.out)}: open ${shown(join(values.out, 'index.html'))}.`);
