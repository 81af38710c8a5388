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

/** Mode allowlist: freeform text or an id runs only when it is one of the client's trusted documents. */

let dir: string;
let trusted: TrustedDocuments;

beforeAll(async () => {
  ({ dir, trusted } = await writeTrustedDocuments());
});
afterAll(() => removeTrustedDocuments(dir));

const documents = (options: Partial<PersistedDocumentsOptions> = {}) => persistedDocuments(trusted, options);

describe('mode allowlist', () => {
  let store: PersistedDocuments;
  beforeAll(() => {
    store = documents({ defaultMode: 'allowlist' });
  });

  it('runs freeform text only when it is in the manifest', async () => {
    expectRuns(await store.resolve({ query: PRODUCTS }, byHeader('web')), PRODUCTS, true);
    expectRefused(
      await store.resolve({ query: ADHOC }, byHeader('web')),
      400,
      'PERSISTED_QUERY_NOT_IN_LIST',
      'This operation is not registered for client "web".',
    );
  });

  it('runs ids from the manifest and refuses others', async () => {
    expectRuns(await store.resolve(withId('products-v1'), byHeader('web')), PRODUCTS, true);
    expectRuns(await store.resolve(withId(sha256(PRODUCTS)), byHeader('web')), PRODUCTS, true);
    expectRefused(
      await store.resolve(withId('products-v2'), byHeader('web')),
      400,
      'PERSISTED_QUERY_UNKNOWN_ID',
      '"products-v2" is not a registered operation for client "web".',
    );
  });

  it('cannot be bypassed by registering text through APQ', async () => {
    expectRefused(await store.resolve(apq(ADHOC), byHeader('web')), 400, 'PERSISTED_QUERY_NOT_IN_LIST');
    expectRefused(await store.resolve(withId(sha256(ADHOC)), byHeader('web')), 400, 'PERSISTED_QUERY_UNKNOWN_ID');
  });

  it('refuses a query that does not match its hash', async () => {
    expectRefused(
      await store.resolve(withId(sha256(ME), PRODUCTS), byHeader('web')),
      400,
      'PERSISTED_QUERY_HASH_MISMATCH',
    );
  });

  it('gives a client without a manifest an empty list', async () => {
    expectRefused(await store.resolve({ query: PRODUCTS }, byHeader('ios')), 400, 'PERSISTED_QUERY_NOT_IN_LIST');
    expectRefused(
      await store.resolve(withId('products-v1'), byHeader()),
      400,
      'PERSISTED_QUERY_UNKNOWN_ID',
      '"products-v1" is not a registered operation for an unnamed client.',
    );
  });
});
