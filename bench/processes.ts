/**
 * The benchmark's processes: started pinned to given cores, watched through
 * /proc for the CPU time and memory they use.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export type Started = {
  child: ChildProcess;
  /** Resolves with the first match of `pattern` in the process's output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
};

/** True when processes can be given cores of their own: taskset exists and there are at least two. */
export function canPin(): boolean {
  return availableParallelism() >= 2 && existsSync('/usr/bin/taskset');
}

/** Moves this very process onto `cpus` (e.g. "1"), so the load it generates stays off the gateway's core. */
export function pinSelf(cpus: string): void {
  execFileSync('taskset', ['-a', '-cp', cpus, String(process.pid)], { stdio: 'ignore' });
}

let profiling: string[] = [];

/** From now on, started node processes write a V8 CPU profile into `dir` when they exit. */
export function profileInto(dir: string): void {
  profiling = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

export function start(command: string, given: string[], options: { cpus?: string; env?: Record<string, string> } = {}): Started {
  const args = command === 'node' ? [...profiling, ...given] : given;
  const [file, argv] = options.cpus ? ['taskset', ['-c', options.cpus, command, ...args]] : [command, args];
  const child = spawn(file, argv, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (!match) return;
          finish();
          resolve(match);
        };
        const onExit = () => {
          finish();
          reject(new Error(`${command} ${args.join(' ')} exited before it was ready:\n${output}`));
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`${command} ${args.join(' ')} was not ready after ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.on('exit', onExit);
        check();
      });
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The process and all its descendants, from /proc. */
function tree(pid: number): number[] {
  const children = (() => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  })();
  return [pid, ...children.flatMap(tree)];
}

const TICKS_PER_SECOND = 100;

/** CPU time (user + system) the process tree has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  let ticks = 0;
  for (const each of tree(pid)) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${each}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** Resident memory of the process tree now and at its peak, in MiB. */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  let rss = 0;
  let peak = 0;
  for (const each of tree(pid)) {
    try {
      const status = readFileSync(`/proc/${each}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return { rss: rss / 1024, peak: peak / 1024 };
}

/** Moves another process (all its threads) onto `cpus`. */
export function pinProcess(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
}
