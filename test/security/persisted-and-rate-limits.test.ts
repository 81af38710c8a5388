import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { books, startLibrary, type Library } from '../support/library.js';
import { TEST_REDIS_URL, deleteKeys, describeRedis, uniquePrefix } from '../support/redis.js';

/**
 * Two production gateways sharing one Redis, as two replicas behind a load
 * balancer: a query registered through one is known to the other (APQ), and a
 * client's rate limit is one bucket, whichever replica it reaches. Trusted
 * documents are checked per client.
 */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const TITLES = 'query Titles { books { title } }';
const ISBNS = 'query Isbns { books { isbn } }';

let library: Library;
let manifests: string;
let replicas: GatewayProcess[] = [];
let redis: Redis;
const prefix = uniquePrefix('security');

type Body = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

async function send(url: string, payload: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
  const body = (await response.json()) as Body;
  return { status: response.status, headers: response.headers, body, code: body.errors?.[0]?.extensions?.code };
}

const persisted = (hash: string, query?: string) => ({
  ...(query ? { query } : {}),
  extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
});

describeRedis('replicas sharing Redis', () => {
  beforeAll(async () => {
    library = await startLibrary();
    manifests = await mkdtemp(join(tmpdir(), 'junction-manifests-'));
    const manifest = (operations: string[]) =>
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: operations.map((body) => ({ id: sha256(body), name: /query (\w+)/.exec(body)![1], type: 'query', body })),
      });
    await writeFile(join(manifests, 'web.json'), manifest([TITLES]));
    await writeFile(join(manifests, 'partner.json'), manifest([TITLES]));
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      TRUSTED_DOCUMENTS: manifests,
      TRUSTED_DOCUMENTS_CLIENT_MODES: 'web=enforce,partner=allowlist',
      RATE_LIMIT_BURST: '6',
      RATE_LIMIT_PER_SECOND: '1',
      // Clients are told apart by the address the load balancer saw.
      TRUST_PROXY: '1',
    };
    replicas = await Promise.all([startGatewayProcess(library.supergraphSdl, env), startGatewayProcess(library.supergraphSdl, env)]);
    redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    for (const replica of replicas) expect(await replica.stop()).toBe(0);
    await library?.stop();
    await rm(manifests, { recursive: true, force: true });
    if (redis) {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
  });

  let client = 0;
  /** A fresh client address, so each test has its own rate-limit bucket. */
  const freshClient = () => ({ 'x-forwarded-for': `203.0.113.${(client += 1)}` });

  describe('automatic persisted queries', () => {
    it('registers a query on one replica and serves its hash on the other', async () => {
      const who = freshClient();
      const query = '{ books { isbn title } }';
      const hash = sha256(query);
      const [a, b] = replicas.map((replica) => replica.url) as [string, string];

      const unknown = await send(b, persisted(hash), who);
      expect({ status: unknown.status, code: unknown.code }).toEqual({ status: 200, code: 'PERSISTED_QUERY_NOT_FOUND' });

      const registered = await send(a, persisted(hash, query), who);
      expect(registered.status).toBe(200);
      const served = await send(b, persisted(hash), who);
      expect(served.status).toBe(200);
      expect(served.body.data).toEqual({ books: books.map(({ isbn, title }) => ({ isbn, title })) });
    });

    it('refuses a hash that does not match the query with 400', async () => {
      const result = await send(replicas[0]!.url, persisted(sha256('{ books { isbn } }'), '{ books { title } }'), freshClient());
      expect({ status: result.status, code: result.code }).toEqual({ status: 400, code: 'PERSISTED_QUERY_HASH_MISMATCH' });
    });
  });

  describe('trusted documents', () => {
    const url = () => replicas[0]!.url;

    it('runs a registered operation by id for an enforcing client, and nothing else', async () => {
      const web = { ...freshClient(), 'apollographql-client-name': 'web' };
      const byId = await send(url(), persisted(sha256(TITLES)), web);
      expect(byId.status).toBe(200);
      expect(byId.body.data).toEqual({ books: books.map(({ title }) => ({ title })) });

      const freeform = await send(url(), { query: TITLES }, web);
      expect({ status: freeform.status, code: freeform.code }).toEqual({ status: 400, code: 'PERSISTED_QUERY_ID_REQUIRED' });
      const unknownId = await send(url(), persisted(sha256(ISBNS)), web);
      expect({ status: unknownId.status, code: unknownId.code }).toEqual({ status: 400, code: 'PERSISTED_QUERY_UNKNOWN_ID' });
    });

    it('runs only listed text for an allow-listing client', async () => {
      const partner = { ...freshClient(), 'apollographql-client-name': 'partner' };
      expect((await send(url(), { query: TITLES }, partner)).status).toBe(200);
      const unlisted = await send(url(), { query: ISBNS }, partner);
      expect({ status: unlisted.status, code: unlisted.code }).toEqual({ status: 400, code: 'PERSISTED_QUERY_NOT_IN_LIST' });
    });

    it('leaves other clients free-form (mode off by default)', async () => {
      const result = await send(url(), { query: ISBNS }, freshClient());
      expect(result.status).toBe(200);
    });
  });

  describe('rate limits', () => {
    it('share one bucket per client across replicas: 429 with Retry-After, other clients unaffected', async () => {
      const greedy = freshClient();
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        statuses.push((await send(replicas[i % 2]!.url, { query: '{ books { isbn } }' }, greedy)).status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);

      const refused = await send(replicas[0]!.url, { query: '{ books { isbn } }' }, greedy);
      expect({ status: refused.status, code: refused.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await send(replicas[1]!.url, { query: '{ books { isbn } }' }, greedy)).status).toBe(429);

      // Another client, on either replica, is served.
      const other = freshClient();
      expect((await send(replicas[0]!.url, { query: '{ books { isbn } }' }, other)).status).toBe(200);
      expect((await send(replicas[1]!.url, { query: '{ books { isbn } }' }, other)).status).toBe(200);
    });
  });
});
