import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseClientModes,
  type PersistedDocumentsOptions,
  type TrustedDocuments,
} from '#gateway/stages/persisted-documents/persisted-documents.js';
import {
  ADHOC,
  byCredential,
  byHeader,
  expectRefused,
  expectRuns,
  persistedDocuments,
  PRODUCTS,
  removeTrustedDocuments,
  writeTrustedDocuments,
} from '../../support/persisted-documents.js';

/**
 * Which mode (off, allowlist, enforce) holds a client's documents: read from configuration,
 * then chosen by how the client is named, by a credential or by a header.
 */

let dir: string;
let trusted: TrustedDocuments;

beforeAll(async () => {
  ({ dir, trusted } = await writeTrustedDocuments());
});
afterAll(() => removeTrustedDocuments(dir));

const documents = (options: Partial<PersistedDocumentsOptions> = {}) => persistedDocuments(trusted, options);

describe('client modes from configuration', () => {
  it('reads <client>=<mode> entries', () => {
    expect(parseClientModes(['web=enforce', ' ios = allowlist ', 'partner=off'])).toEqual({
      web: 'enforce',
      ios: 'allowlist',
      partner: 'off',
    });
  });

  it('lists every bad entry', () => {
    expect(() => parseClientModes(['web=strict', 'ios', '=off', 'web=off', 'a=off=on', 'a=off', 'a=enforce'])).toThrow(
      'Trusted document client modes: "web=strict" is not <client>=<off|allowlist|enforce>; ' +
        '"ios" is not <client>=<off|allowlist|enforce>; "=off" is not <client>=<off|allowlist|enforce>; ' +
        '"a=off=on" is not <client>=<off|allowlist|enforce>; client "a" is given a mode twice',
    );
  });
});

describe('which mode applies', () => {
  it('gives a client named by a credential its own mode, even a laxer one', async () => {
    const store = documents({ defaultMode: 'enforce', clientModes: { web: 'off' } });
    expectRuns(await store.resolve({ query: ADHOC }, byCredential('web')), ADHOC, false);
    expectRefused(await store.resolve({ query: ADHOC }, byCredential('ios')), 400, 'PERSISTED_QUERY_ID_REQUIRED');
  });

  it('does not let a client named by a header relax the default', async () => {
    const store = documents({ defaultMode: 'enforce', clientModes: { web: 'off', ios: 'allowlist' } });
    expectRefused(await store.resolve({ query: ADHOC }, byHeader('web')), 400, 'PERSISTED_QUERY_ID_REQUIRED');
    expectRefused(await store.resolve({ query: PRODUCTS }, byHeader('ios')), 400, 'PERSISTED_QUERY_ID_REQUIRED');
  });

  it('lets a client named by a header be stricter than the default', async () => {
    const store = documents({ defaultMode: 'off', clientModes: { web: 'enforce' } });
    expectRefused(await store.resolve({ query: ADHOC }, byHeader('web')), 400, 'PERSISTED_QUERY_ID_REQUIRED');
    expectRuns(await store.resolve({ query: ADHOC }, byHeader('ios')), ADHOC, false);
    expectRuns(await store.resolve({ query: ADHOC }, byHeader()), ADHOC, false);
  });

  it('does not treat inherited object keys as client names', async () => {
    const store = documents({ defaultMode: 'allowlist' });
    const resolved = await store.resolve({ query: ADHOC }, byCredential('constructor'));
    expectRefused(resolved, 400, 'PERSISTED_QUERY_NOT_IN_LIST');
  });
});
