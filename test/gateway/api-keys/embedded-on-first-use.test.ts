import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayProcessAt, type GatewayProcess } from '../../support/gateway-process.js';
import { run } from '../../support/processes.js';

/**
 * `junction gateway` without DATABASE_URL keeps API keys in the embedded
 * database, which costs hundreds of MB once loaded: it is opened on the first
 * request with a key, once, and never while no key was ever made or when
 * API_KEYS=false. Each gateway here is its own process with its own data dir.
 */
const WELL_FORMED = `jk_${'A'.repeat(43)}`;
/** Well above an idle gateway, well below one that loaded the embedded database. */
const WITHOUT_DATABASE_MIB = 400;

let running: GatewayProcess | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(env: Record<string, string> = {}): Promise<GatewayProcess> {
  running = await startGatewayProcessAt('supergraph.graphql', { DATABASE_URL: undefined, RATE_LIMIT: 'false', ...env });
  return running;
}

async function post(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions: { code: string } }[] } };
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

describe.runIf(process.platform === 'linux')('the embedded database for API keys is opened on first use', () => {
  it('serves without opening it, refuses keys while none was ever made, then opens it for the first real key', async () => {
    const gateway = await start();
    const dir = gateway.dataDir;

    expect(await post(gateway.url)).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    const refused = await post(gateway.url, { 'x-api-key': WELL_FORMED });
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.message).toBe('The API key is not valid.');
    expect(existsSync(join(dir, 'pglite'))).toBe(false);
    expect(rssMiB(gateway.running.child.pid!)).toBeLessThan(WITHOUT_DATABASE_MIB);

    // A key made while the gateway runs: the gateway has not opened the database, so the command may.
    const made = run('node', ['bin/junction.js', 'api-key', 'create', '--name', 'First', '--client', 'first'], {
      DATABASE_URL: undefined,
      JUNCTION_DATA_DIR: dir,
    });
    expect(await made.exited, made.output()).toBe(0);
    const key = /^key\s+(jk_\S+)$/m.exec(made.output())?.[1];
    expect(key).toBeDefined();

    expect(await post(gateway.url, { 'x-api-key': key! })).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    expect((await post(gateway.url, { 'x-api-key': WELL_FORMED })).status).toBe(401);
  });

  it('with API_KEYS=false never opens it, and says keys are not accepted', async () => {
    const gateway = await start({ API_KEYS: 'false' });
    const dir = gateway.dataDir;
    const refused = await post(gateway.url, { 'x-api-key': WELL_FORMED });
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.message).toBe('This gateway accepts no API keys.');
    expect(existsSync(join(dir, 'pglite'))).toBe(false);
  });
});

