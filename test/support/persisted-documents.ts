import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { expect } from 'vitest';
import {
  createPersistedDocuments,
  loadTrustedDocuments,
  type ClientRef,
  type DocumentRequest,
  type PersistedDocuments,
  type PersistedDocumentsOptions,
  type ResolvedDocument,
  type TrustedDocuments,
} from '#gateway/stages/persisted-documents/persisted-documents.js';

/** Documents, clients and a store for the persisted-documents tests, which need no server. */
export const logger = pino({ level: 'silent' });
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export const ME = 'query Me { me { id name } }';
export const PRODUCTS = 'query Products { topProducts { upc name } }';
export const ADHOC = '{ __typename }';

/** `web`'s manifest: one id that is the body's hash, one that is a plain name. */
export const webManifest = {
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations: [
    { id: sha256(ME), name: 'Me', type: 'query', body: ME },
    { id: 'products-v1', name: 'Products', type: 'query', body: PRODUCTS },
  ],
};

export const withId = (id: string, query?: string): DocumentRequest => ({
  ...(query === undefined ? {} : { query }),
  extensions: { persistedQuery: { version: 1, sha256Hash: id } },
});
export const apq = (query: string) => withId(sha256(query), query);
export const byHeader = (name?: string): ClientRef => ({ name, trusted: false });
export const byCredential = (name: string): ClientRef => ({ name, trusted: true });

export function expectRuns(resolved: ResolvedDocument, query: string, trusted: boolean) {
  expect(resolved).toEqual({ ok: true, query, trusted });
}
export function expectRefused(resolved: ResolvedDocument, status: number, code: string, message?: string) {
  expect(resolved.ok).toBe(false);
  if (resolved.ok) return;
  expect({ status: resolved.status, code: resolved.error.extensions.code }).toEqual({ status, code });
  if (message !== undefined) expect(resolved.error.message).toBe(message);
}

/** A fresh directory holding `web`'s manifest and a file that is not one, and what loading it gives. */
export async function writeTrustedDocuments(): Promise<{ dir: string; trusted: TrustedDocuments }> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-trusted-'));
  await writeFile(join(dir, 'web.json'), JSON.stringify(webManifest));
  await writeFile(join(dir, 'README.md'), 'Manifests are <client>.json; this file is not one.');
  return { dir, trusted: await loadTrustedDocuments(dir) };
}

export function removeTrustedDocuments(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** A store over `trusted`: APQ on, every client in mode off, unless `options` say otherwise. */
export function persistedDocuments(
  trusted: TrustedDocuments,
  options: Partial<PersistedDocumentsOptions> = {},
): PersistedDocuments {
  return createPersistedDocuments({
    apq: true,
    apqCacheSize: 100,
    redisPrefix: 'test:',
    trusted,
    defaultMode: 'off',
    clientModes: {},
    logger,
    ...options,
  });
}
