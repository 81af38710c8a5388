import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { loadTrustedDocuments, type TrustedManifest } from '#gateway/stages/persisted-documents/persisted-documents.js';
import type { SchemaVersion } from './api-schema.js';
import { appendChangelog, changelogEntry, type ChangelogEntry } from './changelog.js';
import { composeVersion, readPublished, versionAtGitRef, writePublished } from './published-schema.js';
import { checkSchema, type CheckReport } from './schema-check.js';
import { findSchemaChanges, type SchemaChange } from './schema-changes.js';

/**
 * The two steps of the partner workflow, as npm run schema:check and
 * schema:publish run them: paths default to the places beside the
 * supergraph config (`schema/published/`, `trusted-documents/`).
 */
export type WorkflowPaths = { configFile: string; publishedDir?: string | undefined; documentsDir?: string | undefined };

export const defaultPublishedDir = (configFile: string) => join(dirname(configFile), 'schema', 'published');
export const defaultDocumentsDir = (configFile: string) => join(dirname(configFile), 'trusted-documents');

/** A path as the user would write it: relative to the working directory when inside it. */
const shown = (path: string) => {
  const local = relative(process.cwd(), path);
  return local === '' || local.startsWith('..') ? path : local;
};

/** `against`: `git:<ref>` compares with what was published at that ref; otherwise the published directory. */
export async function checkProposedSchema(paths: WorkflowPaths & { against?: string | undefined }): Promise<CheckReport> {
  const publishedDir = paths.publishedDir ?? defaultPublishedDir(paths.configFile);
  // Without registered operations every breaking change only warns; a default directory may be absent, a named one not.
  const documentsDir = paths.documentsDir ?? defaultDocumentsDir(paths.configFile);
  const registered = paths.documentsDir !== undefined || existsSync(documentsDir);
  let published: SchemaVersion | undefined;
  if (paths.against?.startsWith('git:')) {
    published = await versionAtGitRef(paths.against.slice('git:'.length), publishedDir, paths.configFile);
  } else {
    published = await readPublished(publishedDir);
    if (!published) throw new Error(`Nothing is published in ${shown(publishedDir)} yet: run npm run schema:publish.`);
  }
  const [proposed, documents] = await Promise.all([
    composeVersion(paths.configFile),
    registered ? loadTrustedDocuments(documentsDir) : new Map<string, TrustedManifest>(),
  ]);
  return checkSchema({ published, proposed, documents, against: paths.against ?? shown(publishedDir) });
}

export type PublishResult =
  | { published: false; publishedDir: string }
  | { published: true; publishedDir: string; changes: SchemaChange[]; entry: ChangelogEntry };

/**
 * Records the composed API schema (and its supergraph) as published, with a
 * changelog entry. Writes nothing when no change is found: a supergraph that
 * differs only where clients cannot tell (routing URLs) is not a new version.
 */
export async function publishSchema(paths: WorkflowPaths, now = new Date()): Promise<PublishResult> {
  const publishedDir = paths.publishedDir ?? defaultPublishedDir(paths.configFile);
  const [previous, proposed] = await Promise.all([readPublished(publishedDir), composeVersion(paths.configFile)]);
  const changes = previous ? findSchemaChanges(previous, proposed) : [];
  if (previous && changes.length === 0 && previous.apiSdl === proposed.apiSdl) return { published: false, publishedDir };
  await writePublished(publishedDir, proposed);
  const entry = changelogEntry(changes, now, previous === undefined);
  await appendChangelog(publishedDir, entry);
  return { published: true, publishedDir, changes, entry };
}
