import { afterAll, beforeAll, describe, it } from 'vitest';
import type { PersistedDocumentsOptions, TrustedDocuments } from '#gateway/stages/persisted-documents/persisted-documents.js';
import {
  ADHOC,
  apq,
  byCredential,
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

/** Where a request's document comes from in mode off: freeform text, APQ, or a client's trusted documents. */

let dir: string;
let trusted: TrustedDocuments;

beforeAll(async () => {
  ({ dir, trusted } = await writeTrustedDocuments());
});
afterAll(() => removeTrustedDocuments(dir));

const documents = (options: Partial<PersistedDocumentsOptions> = {}) => persistedDocuments(trusted, options);

describe('mode off', () => {
  it('runs freeform text; text from the manifest counts as trusted', async () => {
    const store = documents();
    expectRuns(await store.resolve({ query: ADHOC }, byHeader('web')), ADHOC, false);
    expectRuns(await store.resolve({ query: PRODUCTS }, byHeader('web')), PRODUCTS, true);
    expectRuns(await store.resolve({ query: PRODUCTS }, byHeader('ios')), PRODUCTS, false);
  });

  it("runs a trusted document by its id, from the client's own manifest only", async () => {
    const store = documents();
    expectRuns(await store.resolve(withId('products-v1'), byHeader('web')), PRODUCTS, true);
    expectRuns(await store.resolve(withId(sha256(ME)), byCredential('web')), ME, true);
    expectRefused(await store.resolve(withId('products-v1'), byHeader('ios')), 200, 'PERSISTED_QUERY_NOT_FOUND');
  });

  it('speaks APQ: unknown hash, then hash with query, then hash alone', async () => {
    const store = documents();
    const query = '{ topProducts(first: 1) { upc } }';
    expectRefused(
      await store.resolve(withId(sha256(query)), byHeader()),
      200,
      'PERSISTED_QUERY_NOT_FOUND',
      'PersistedQueryNotFound',
    );
    expectRuns(await store.resolve(apq(query), byHeader()), query, false);
    expectRuns(await store.resolve(withId(sha256(query)), byHeader('anyone')), query, false);
  });

  it('refuses a query that does not match its hash, and stores nothing', async () => {
    const store = documents();
    expectRefused(
      await store.resolve(withId(sha256(ADHOC), PRODUCTS), byHeader()),
      400,
      'PERSISTED_QUERY_HASH_MISMATCH',
    );
    expectRefused(await store.resolve(withId(sha256(ADHOC)), byHeader()), 200, 'PERSISTED_QUERY_NOT_FOUND');
    // A manifest id with someone else's body is a mismatch too; with its own body it is not.
    expectRefused(
      await store.resolve(withId('products-v1', ME), byHeader('web')),
      400,
      'PERSISTED_QUERY_HASH_MISMATCH',
    );
    expectRuns(await store.resolve(withId('products-v1', PRODUCTS), byHeader('web')), PRODUCTS, true);
  });

  it('refuses other protocol versions and malformed extensions', async () => {
    const store = documents();
    const v2 = { extensions: { persistedQuery: { version: 2, sha256Hash: sha256(ADHOC) } } };
    expectRefused(await store.resolve(v2, byHeader()), 400, 'BAD_REQUEST', 'Unsupported persisted query version.');
    expectRefused(
      await store.resolve({ extensions: { persistedQuery: { version: 1 } } }, byHeader()),
      400,
      'BAD_REQUEST',
    );
    expectRefused(await store.resolve({ extensions: { persistedQuery: 'abc' } }, byHeader()), 400, 'BAD_REQUEST');
    expectRefused(await store.resolve({ query: '' }, byHeader()), 400, 'BAD_REQUEST');
  });

  it('says APQ is not supported when it is turned off, and still runs text', async () => {
    const store = documents({ apq: false });
    expectRefused(await store.resolve(withId(sha256(ADHOC)), byHeader()), 200, 'PERSISTED_QUERY_NOT_SUPPORTED');
    expectRuns(await store.resolve(apq(ADHOC), byHeader()), ADHOC, false);
    expectRuns(await store.resolve(withId('products-v1'), byHeader('web')), PRODUCTS, true);
  });

  it('keeps at most apqCacheSize documents in memory', async () => {
    const store = documents({ apqCacheSize: 1 });
    const [first, second] = ['{ a: __typename }', '{ b: __typename }'];
    await store.resolve(apq(first), byHeader());
    await store.resolve(apq(second), byHeader());
    expectRefused(await store.resolve(withId(sha256(first)), byHeader()), 200, 'PERSISTED_QUERY_NOT_FOUND');
    expectRuns(await store.resolve(withId(sha256(second)), byHeader()), second, false);
  });
});
