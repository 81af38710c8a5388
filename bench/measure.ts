/**
 * How the benchmark measures a gateway: over loopback HTTP, checking what
 * comes back against the fixed data before and during the measurement.
 */
import { Agent, request } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import type { Started } from './processes.js';

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** Closes the one connection the sequential requests use. */
export function closeConnections(): void {
  agent.destroy();
}

function post(url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = request(url, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Waits until `url` answers `body` with 200, or the process exits, or a minute passes. */
export async function untilAnswering(url: string, body: string, started: Started): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (started.child.exitCode !== null) throw new Error(`The gateway exited:\n${started.output()}`);
    const answer = await post(url, body).catch(() => undefined);
    if (answer?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`The gateway did not answer within 60 s:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The exact answer, once checked against the data: the body every later response must equal. */
export async function checkedAnswer(url: string, body: string, expected: unknown, what: string): Promise<string> {
  const { status, text } = await post(url, body);
  const parsed = JSON.parse(text) as { data?: unknown; errors?: unknown[] };
  if (status !== 200 || parsed.errors) throw new Error(`${what}: HTTP ${status} with errors: ${text.slice(0, 2000)}`);
  if (!isDeepStrictEqual(parsed.data, expected)) throw new Error(`${what}: the answer is not the expected data: ${text.slice(0, 2000)}`);
  return text;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** One request at a time, after a short warm-up: latency without queueing, in microseconds. */
export async function sequential(url: string, body: string, count: number, expectedText: string) {
  for (let i = 0; i < Math.min(500, count); i++) await post(url, body);
  const micros: number[] = [];
  let errors = 0;
  for (let i = 0; i < count; i++) {
    const startedAt = process.hrtime.bigint();
    const { status, text } = await post(url, body);
    micros.push(Number(process.hrtime.bigint() - startedAt) / 1000);
    if (status !== 200 || text !== expectedText) errors++;
  }
  micros.sort((a, b) => a - b);
  return { p50: percentile(micros, 50), p99: percentile(micros, 99), errors };
}

/** `connections` clients sending `body` back to back for `seconds`; with `expectBody`, any other answer counts as an error. */
export function load(url: string, body: string, options: { seconds: number; connections: number; expectBody?: string }) {
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: options.connections,
    duration: options.seconds,
    ...(options.expectBody ? { expectBody: options.expectBody } : {}),
  });
}
