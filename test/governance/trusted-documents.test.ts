import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadTrustedDocuments } from '#gateway/stages/persisted-documents/persisted-documents.js';
import { apiSdlOf, buildApiSchema } from '../../scripts/schema/api-schema.js';
import { readPublished } from '../../scripts/schema/published-schema.js';
import { root } from '../support/schema-workspace.js';

/** The registered operations in trusted-documents/ are what the schema check protects: they must be valid today. */
describe('trusted-documents/', () => {
  it('registers operations for web and partner that validate against the served and the published schema', async () => {
    const documents = await loadTrustedDocuments(join(root, 'trusted-documents'));
    expect([...documents.keys()]).toEqual(['partner', 'web']);

    const served = buildApiSchema({ apiSdl: apiSdlOf(await readFile(join(root, 'supergraph.graphql'), 'utf8')), supergraphSdl: '' });
    const published = await readPublished(join(root, 'schema', 'published'));
    if (!published) throw new Error('nothing published');
    for (const [client, manifest] of documents) {
      for (const operation of manifest.byId.values()) {
        const document = parse(operation.body);
        expect(validate(served, document).map(String), `${client}: ${operation.name}`).toEqual([]);
        expect(validate(buildApiSchema(published), document).map(String), `${client}: ${operation.name}`).toEqual([]);
      }
    }
  });
});
