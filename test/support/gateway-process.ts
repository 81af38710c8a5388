import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type Running } from './processes.js';

export const PRODUCTION_SECRET = 'a-production-secret-of-at-least-32-characters';

export type GatewayProcess = {
  url: string;
  /** The supergraph file it was started with (removed by `stop`), or the location given to startGatewayProcessAt. */
  supergraph: string;
  running: Running;
  /** Its JUNCTION_DATA_DIR: a fresh folder of its own, removed by `stop`, unless `env` gave one. */
  dataDir: string;
  /** Interrupts the gateway and waits for it to exit; resolves with its exit code. */
  stop(): Promise<number | NodeJS.Signals | null>;
};

/**
 * `npx junction gateway` as an operator runs it: its own process, production
 * defaults unless `env` says otherwise, over the given supergraph; `args` are
 * more options (e.g. `--workers 2`).
 */
export async function startGatewayProcess(
  supergraphSdl: string,
  env: Record<string, string | undefined> = {},
  args: string[] = [],
): Promise<GatewayProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-gateway-'));
  const file = join(dir, 'supergraph.graphql');
  await writeFile(file, supergraphSdl);
  return startIn(dir, file, env, args);
}

/** The same, over the supergraph at `location` (a file or an http(s) URL), which the caller looks after. */
export async function startGatewayProcessAt(
  location: string,
  env: Record<string, string | undefined> = {},
  args: string[] = [],
): Promise<GatewayProcess> {
  return startIn(await mkdtemp(join(tmpdir(), 'junction-gateway-')), location, env, args);
}

async function startIn(dir: string, supergraph: string, env: Record<string, string | undefined>, args: string[]): Promise<GatewayProcess> {
  const running = run('node', ['bin/junction.js', 'gateway', '--supergraph', supergraph, '--port', '0', '--host', '127.0.0.1', ...args], {
    NODE_ENV: 'production',
    GATEWAY_SECRET: PRODUCTION_SECRET,
    LOG_LEVEL: 'info',
    JUNCTION_DATA_DIR: dir,
    ...env,
  });
  try {
    const [, url] = await running.waitFor(/"url":"([^"]+)".*"gateway ready"/);
    return {
      url: url!,
      supergraph,
      running,
      dataDir: env.JUNCTION_DATA_DIR ?? dir,
      async stop() {
        if (running.child.exitCode === null) running.interrupt();
        const code = await running.exited;
        await rm(dir, { recursive: true, force: true });
        return code;
      },
    };
  } catch (error) {
    running.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
