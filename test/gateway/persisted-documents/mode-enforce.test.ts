import { afterAll, beforeAll, describe, it } from 'vitest';
import type { PersistedDocuments, PersistedDocumentsOptions, TrustedDocuments } from '#gateway/stages/persisted-documents/persisted-documents.js';
import {
  ADHOC,
  apq,
  byHeader,
  expectRefused,
  expectRuns,
  ME,
  persistedDocuments,
  PRODUCTS,
  removeTrustedDocuments,
  sha256,
  withId,
  writeTrustedDocuments,
} from '../../support/persisted-documents.js';

/** Mode enforce: only the id of one of the client's trusted documents runs; freeform text never does. */

let dir: string;
let trusted: TrustedDocuments;

beforeAll(async () => {
  ({ dir, trusted } = await writeTrustedDocuments());
});
afterAll(() => removeTrustedDocuments(dir));

const documents = (options: Partial<PersistedDocumentsOptions> = {}) => persistedDocuments(trusted, options);

describe('mode enforce', () => {
  let store: PersistedDocuments;
  beforeAll(() => {
    store = documents({ defaultMode: 'enforce' });
  });

  it('refuses freeform text, even text from the manifest', async () => {
    expectRefused(await store.resolve({ query: PRODUCTS }, byHeader('web')), 400, 'PERSISTED_QUERY_ID_REQUIRED');
    expectRefused(await store.resolve({ query: ADHOC }, byHeader()), 400, 'PERSISTED_QUERY_ID_REQUIRED');
  });

  it('runs ids from the manifest and refuses others', async () => {
    expectRuns(await store.resolve(withId('products-v1'), byHeader('web')), PRODUCTS, true);
    expectRuns(await store.resolve(withId(sha256(ME), ME), byHeader('web')), ME, true);
    expectRefused(await store.resolve(withId(sha256(ADHOC)), byHeader('web')), 400, 'PERSISTED_QUERY_UNKNOWN_ID');
    expectRefused(await store.resolve(apq(ADHOC), byHeader('web')), 400, 'PERSISTED_QUERY_UNKNOWN_ID');
    expectRefused(await store.resolve(withId('products-v1'), byHeader('ios')), 400, 'PERSISTED_QUERY_UNKNOWN_ID');
  });

  it('refuses a query that does not match its hash', async () => {
    expectRefused(
      await store.resolve(withId(sha256(ME), PRODUCTS), byHeader('web')),
      400,
      'PERSISTED_QUERY_HASH_MISMATCH',
    );
  });
});
