import { rename, writeFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { Running } from './processes.js';
import { post } from './graphql.js';

/** The JSON log lines a process wrote with message `msg`, parsed, in order. */
export function logLines(running: Running, msg: string): Record<string, unknown>[] {
  return running
    .output()
    .split('\n')
    .filter((line) => line.includes(`"msg":"${msg}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Waits until the process has logged `msg` at least `times` times; returns the last such line. */
export async function loggedTimes(running: Running, msg: string, times: number): Promise<Record<string, unknown>> {
  await expect.poll(() => logLines(running, msg).length, { timeout: 15_000, interval: 50 }).toBeGreaterThanOrEqual(times);
  return logLines(running, msg).at(-1)!;
}

/** How an operator replaces a file: in place (truncate, then write), or a new file renamed over it (atomic, as editors and `kubectl cp` do). */
export async function replaceFile(file: string, content: string, how: 'in place' | 'rename'): Promise<void> {
  if (how === 'in place') return writeFile(file, content);
  const next = `${file}.next`;
  await writeFile(next, content);
  await rename(next, file);
}

export type Traffic = {
  /** Stops sending and resolves with how many requests were answered, and every one that was not a clean 200. */
  stop(): Promise<{ answered: number; failures: string[] }>;
};

/** `concurrency` clients sending `query` back to back until stopped, as steady production traffic does. */
export function sendTraffic(url: string, query: string, concurrency: number): Traffic {
  let sending = true;
  let answered = 0;
  const failures: string[] = [];
  const clients = Array.from({ length: concurrency }, async () => {
    while (sending) {
      const result = await post(url, query).catch((error: Error) => ({ status: 0, errors: [{ message: error.message }] }));
      answered += 1;
      if (result.status !== 200 || result.errors) failures.push(`${result.status} ${JSON.stringify(result.errors)}`);
    }
  });
  return {
    async stop() {
      sending = false;
      await Promise.all(clients);
      return { answered, failures };
    },
  };
}
