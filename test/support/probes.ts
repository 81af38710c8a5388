import { request } from 'node:http';
import { expect } from 'vitest';
import type { Running } from './processes.js';

/**
 * What an orchestrator does to a process: probes GET /health (alive) and
 * GET /ready (fit for traffic) as a kubelet does, and stops it with SIGTERM.
 */

/** A probe's answer: its status, and its JSON body when it has one (not for HEAD). */
export type Probe = { status: number; body: unknown };

/** One probe on a connection of its own, as a kubelet sends it; rejects with the socket's error. */
export function probe(url: string, path: '/health' | '/ready', method: 'GET' | 'HEAD' = 'GET'): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

export const OK = { status: 200, body: { status: 'ok' } };
export const SHUTTING_DOWN = { status: 503, body: { status: 'unavailable', reason: 'shutting down' } };

export async function expectAliveAndReady(url: string) {
  expect(await probe(url, '/health')).toEqual(OK);
  expect(await probe(url, '/health', 'HEAD')).toEqual({ status: 200, body: undefined });
  expect(await probe(url, '/ready')).toEqual(OK);
  expect(await probe(url, '/ready', 'HEAD')).toEqual({ status: 200, body: undefined });
}

/** SIGTERM to the process alone, as Kubernetes sends it to a container's first process. */
export function sigterm(running: Running) {
  process.kill(running.child.pid!, 'SIGTERM');
  return running.waitFor(/"signal":"SIGTERM","msg":"shutting down"/);
}
