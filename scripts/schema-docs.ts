import { dirname, join, relative, resolve } from 'node:path';
import { readChangelog } from './schema/changelog.js';
import { readContractSchemas } from './schema/contract-schemas.js';
import { buildDocsSite, writeDocsSite } from './schema/docs-site.js';
import { composeVersion, readPublished } from './schema/published-schema.js';
import { defaultPublishedDir } from './schema/schema-workflow.js';
import { fail, parseCommandLine } from './command-line.js';

const USAGE = `Usage: npm run schema:docs -- [--out DIR] [--current] [--config FILE] [--published DIR]

Writes the partners' API reference as static HTML: index.html (every type and field, with the
contracts that include it), <contract>/index.html per contract of contracts.yaml, and
changelog.html. Self-contained: open index.html from disk or serve the folder anywhere.
  --out DIR        where to write (default: build/docs)
  --current        document the schema composed from the subgraphs now, not the published one
  --config FILE    the supergraph config; contracts.yaml and contracts/ are beside it
                   (default: supergraph.yaml)
  --published DIR  the published schema and changelog (default: schema/published beside the config)`;

const values = parseCommandLine(USAGE, {
  out: { type: 'string', default: 'build/docs' },
  current: { type: 'boolean', default: false },
  config: { type: 'string', default: 'supergraph.yaml' },
  published: { type: 'string' },
});

const publishedDir = values.published ?? defaultPublishedDir(values.config);
/** A path as the user would write it: relative to the working directory when inside it. */
const shown = (path: string) => {
  const local = relative(process.cwd(), path);
  return local === '' ? '.' : local.startsWith('..') ? resolve(path) : local;
};

async function generate(): Promise<number> {
  const [version, changelog, contracts] = await Promise.all([
    values.current ? composeVersion(values.config) : readPublished(publishedDir),
    readChangelog(publishedDir),
    readContractSchemas(dirname(values.config)),
  ]);
  if (!version) throw new Error(`Nothing is published in ${shown(publishedDir)} yet: run npm run schema:publish, or document the current schema with --current.`);
  const pages = buildDocsSite({ version, source: values.current ? 'current' : 'published', contracts, changelog });
  await writeDocsSite(values.out, pages);
  return pages.length;
}

const count = await generate().catch((error: Error) => fail(error.message, 1));
console.log(`Wrote ${count} pages to ${shown(values.out)}: open ${shown(join(values.out, 'index.html'))}.`);
