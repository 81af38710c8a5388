import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** Ports free right now, for processes that must be told theirs up front. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      const server = createServer();
      return new Promise<ReturnType<typeof createServer>>((resolve) => server.listen(0, () => resolve(server)));
    }),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/**
 * The ports of a whole Junction (`npm start`, `npm run dev`) on free ports: the
 * gateway's PORT and each subgraph's URL, which composition and the subgraphs read.
 */
export async function junctionPorts(): Promise<{ port: number; env: Record<string, string> }> {
  const [port, accounts, products, inventory, reviews] = (await freePorts(5)) as [number, number, number, number, number];
  return {
    port,
    env: {
      PORT: String(port),
      ACCOUNTS_URL: `http://localhost:${accounts}/graphql`,
      PRODUCTS_URL: `http://localhost:${products}/graphql`,
      INVENTORY_URL: `http://localhost:${inventory}/graphql`,
      REVIEWS_URL: `http://localhost:${reviews}/graphql`,
    },
  };
}

export type Running = {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first match of `pattern` in stdout+stderr, or rejects on exit/timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code, or the signal that ended the process. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** Resolves once no process of the group is left. */
  groupGone(timeoutMs?: number): Promise<void>;
  /** Ctrl-C, as a terminal sends it: SIGINT to the whole process group. */
  interrupt(): void;
  /** What an orchestrator sends to stop a service: SIGTERM, to the whole group. */
  terminate(): void;
};

/** Starts a command in its own process group (in `cwd`, by default this one), collecting its output. */
export function run(command: string, args: string[], env: Record<string, string | undefined>, { cwd }: { cwd?: string } = {}): Running {
  const child = spawn(command, args, { env: { ...process.env, ...env }, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  return {
    child,
    output: () => output,
    exited,
    interrupt: () => process.kill(-child.pid!, 'SIGINT'),
    terminate: () => process.kill(-child.pid!, 'SIGTERM'),
    async groupGone(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          process.kill(-child.pid!, 0);
        } catch {
          return;
        }
        if (Date.now() > deadline) throw new Error(`processes still running; output:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    waitFor(pattern, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        exited.then((code) => {
          if (!output.match(pattern)) {
            clearTimeout(timer);
            reject(new Error(`exited with ${code} before ${pattern}; output:\n${output}`));
          }
        });
        check();
      });
    },
  };
}
