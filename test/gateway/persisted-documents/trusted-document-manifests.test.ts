import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadTrustedDocuments,
  type TrustedDocuments,
} from '#gateway/stages/persisted-documents/persisted-documents.js';
import {
  ME,
  PRODUCTS,
  removeTrustedDocuments,
  sha256,
  webManifest,
  writeTrustedDocuments,
} from '../../support/persisted-documents.js';

/** Trusted documents: one manifest per client, read from `<client>.json`, and the manifests refused. */

let dir: string;
let trusted: TrustedDocuments;

beforeAll(async () => {
  ({ dir, trusted } = await writeTrustedDocuments());
});
afterAll(() => removeTrustedDocuments(dir));

describe('loading trusted documents', () => {
  it('reads one manifest per client from <client>.json, by id and by body', () => {
    expect([...trusted.keys()]).toEqual(['web']);
    const web = trusted.get('web');
    expect(web?.byId.get('products-v1')?.body).toBe(PRODUCTS);
    expect(web?.byBodyHash.get(sha256(PRODUCTS))?.id).toBe('products-v1');
    expect(web?.byId.get(sha256(ME))?.name).toBe('Me');
  });

  async function loadingFails(file: string, content: string): Promise<string> {
    const bad = await mkdtemp(join(tmpdir(), 'junction-trusted-bad-'));
    try {
      await writeFile(join(bad, file), content);
      const error: unknown = await loadTrustedDocuments(bad).then(() => undefined, (reason: unknown) => reason);
      expect(error).toBeInstanceOf(Error);
      const { message } = error as Error;
      // The message names the file, so whoever deploys it knows what to fix.
      expect(message).toContain(join(bad, file));
      return message;
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  }
  const manifest = (changes: Record<string, unknown>) => JSON.stringify({ ...webManifest, ...changes });
  const operation = (changes: Record<string, unknown>) =>
    manifest({ operations: [{ id: 'a', name: 'A', type: 'query', body: '{ a }', ...changes }] });

  it('refuses a file that is not JSON', async () => {
    expect(await loadingFails('web.json', '{ "format": ')).toMatch(/web\.json: .*JSON/);
  });

  it('refuses another format or version, naming the field', async () => {
    expect(await loadingFails('web.json', manifest({ format: 'relay' }))).toMatch(/web\.json .*format:/);
    expect(await loadingFails('web.json', manifest({ version: 2 }))).toMatch(/web\.json .*version:/);
    expect(await loadingFails('web.json', JSON.stringify([webManifest]))).toMatch(/web\.json .*\(root\):/);
  });

  it('refuses an operation without a body, or of an unknown type, naming where', async () => {
    expect(await loadingFails('web.json', operation({ body: undefined }))).toMatch(/operations\.0\.body:/);
    expect(await loadingFails('web.json', operation({ type: 'query!' }))).toMatch(/operations\.0\.type:/);
    expect(await loadingFails('web.json', operation({ id: 7 }))).toMatch(/operations\.0\.id:/);
  });

  it('refuses a body that is not GraphQL, and an id given twice', async () => {
    expect(await loadingFails('web.json', operation({ body: 'query {' }))).toMatch(/operation "a": Syntax Error/);
    const twice = manifest({ operations: [...webManifest.operations, { ...webManifest.operations[1] }] });
    expect(await loadingFails('web.json', twice)).toMatch(/id "products-v1" appears twice/);
  });

  it('refuses a directory that does not exist', async () => {
    await expect(loadTrustedDocuments(join(dir, 'missing'))).rejects.toThrow(/cannot read the directory .*missing/);
  });

  it('loads an empty directory as no manifests, and ignores folders', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'junction-trusted-empty-'));
    await mkdir(join(empty, 'old.json'));
    expect((await loadTrustedDocuments(empty)).size).toBe(0);
    await rm(empty, { recursive: true, force: true });
  });
});
