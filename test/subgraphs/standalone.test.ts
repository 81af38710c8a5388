import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_HEADER, signGatewayToken } from '#lib/identity.js';
import { SUBGRAPHS } from '#lib/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { post } from '../support/graphql.js';
import { freePorts, run } from '../support/processes.js';

/**
 * Each subgraph runs alone, as it is deployed: its own process, configured by
 * PORT and DATABASE_URL, migrating its own schema at boot.
 */
let dataDir: string;
let database: TestDatabase | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'junction-subgraph-'));
  if (process.env.DATABASE_URL) database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const SECRET = 'a-production-secret-of-at-least-32-characters';
/** The header the gateway sends: an anonymous caller, vouched for with GATEWAY_SECRET. */
const fromGateway = async () => ({ [GATEWAY_HEADER]: await signGatewayToken(null, SECRET) });

describe.each(SUBGRAPHS)('npm run start:%s', (name) => {
  it('serves its slice of the schema from its own database and stops on SIGTERM', async () => {
    const [port] = await freePorts(1);
    const subgraph = run('npm', ['run', `start:${name}`], {
      NODE_ENV: 'production',
      GATEWAY_SECRET: SECRET,
      LOG_LEVEL: 'info',
      PORT: String(port),
      // The embedded database is one process's: each subgraph gets a folder of its own.
      DATABASE_URL: database?.url,
      JUNCTION_DATA_DIR: join(dataDir, name),
    });
    const [, url] = await subgraph.waitFor(/"url":"([^"]+)".*subgraph ready/);
    expect((await fetch(new URL('/health', url))).status).toBe(200);

    // Only the gateway may ask: without its signed token, nothing is answered.
    expect((await post(url!, '{ _service { sdl } }')).status).toBe(401);
    const service = await post<{ _service: { sdl: string } }>(url!, '{ _service { sdl } }', {}, await fromGateway());
    // The SDL served is the one in schema/, descriptions and all.
    expect(service.data!._service.sdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+"/);
    expect(service.data!._service.sdl).toMatch(/"""\n?Something the store sells|"""\n?A person with an account/);

    subgraph.terminate();
    await subgraph.groupGone();
  });
});

describe('a subgraph on its own', () => {
  it('writes and reads its own data', async () => {
    const [port] = await freePorts(1);
    const accounts = run('npm', ['run', 'start:accounts'], {
      NODE_ENV: 'development',
      GATEWAY_SECRET: SECRET,
      LOG_LEVEL: 'info',
      PORT: String(port),
      DATABASE_URL: database?.url,
      JUNCTION_DATA_DIR: join(dataDir, 'accounts-write'),
    });
    const [, url] = await accounts.waitFor(/"url":"([^"]+)".*subgraph ready/);
    const created = await post<{ createUser: { id: string } }>(
      url!,
      'mutation { createUser(input: { name: "Alan Turing", username: "alan", email: "alan@example.net" }) { id } }',
      {},
      await fromGateway(),
    );
    expect(created.errors).toBeUndefined();
    const read = await post(
      url!,
      'query($id: ID!) { user(id: $id) { name } }',
      { id: created.data!.createUser.id },
      await fromGateway(),
    );
    expect(read.data).toEqual({ user: { name: 'Alan Turing' } });
    accounts.terminate();
    await accounts.groupGone();
  });
});
