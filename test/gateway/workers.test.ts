import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { post } from '../support/graphql.js';
import { startLibrary, type Library } from '../support/library.js';
import { run } from '../support/processes.js';

/**
 * `junction gateway --workers N`: one primary forks N gateway processes that
 * serve one port, replaces any that dies, and stops them all with itself.
 * Workers share the API keys' database, so these scenarios need Postgres.
 */
const BOOKS = '{ books { title author { name } } }';
const ANSWER = {
  books: [
    { title: 'Pride and Prejudice', author: { name: 'Jane Austen' } },
    { title: 'Sense and Sensibility', author: { name: 'Jane Austen' } },
    { title: 'Frankenstein', author: { name: 'Mary Shelley' } },
  ],
};

/** The gateway workers a primary has forked (tsx's esbuild service is its child too). */
function workersOf(primary: number): number[] {
  let table: string;
  try {
    table = execFileSync('ps', ['--ppid', String(primary), '-o', 'pid=,args='], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there is no such process
  }
  return table
    .split('\n')
    .filter((line) => line.includes('bin/junction.js gateway'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

async function answers(url: string): Promise<void> {
  const result = await post(url, BOOKS);
  expect(result.errors).toBeUndefined();
  expect(result.data).toEqual(ANSWER);
}

/**
 * The same, on a connection of its own. A kept-alive connection of the test's
 * fetch may be one the killed worker held: that one breaks, as it would for every
 * client; what must hold is that new connections are answered meanwhile.
 */
function answersOnNewConnection(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query: BOOKS });
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          expect(res.statusCode).toBe(200);
          expect(JSON.parse(text)).toEqual({ data: ANSWER });
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.runIf(process.env.DATABASE_URL)('junction gateway --workers 2', () => {
  let library: Library;
  let database: TestDatabase;
  let gateway: GatewayProcess;
  let primary: number;

  const start = () =>
    startGatewayProcess(library.supergraphSdl, { DATABASE_URL: database.url }, ['--workers', '2']);

  beforeAll(async () => {
    library = await startLibrary();
    database = await createTestDatabase();
    gateway = await start();
    primary = gateway.running.child.pid!;
  });

  afterAll(async () => {
    await gateway?.stop();
    await database?.close();
    await library?.stop();
  });

  it('answers on one port from two worker processes', async () => {
    const workers = workersOf(primary);
    expect(workers).toHaveLength(2);
    // Each logs that it is ready (its lines may reach the pipe after the primary's).
    for (const worker of workers) await gateway.running.waitFor(new RegExp(`"worker":${worker},"msg":"worker ready"`), 5_000);
    expect(gateway.running.output()).toMatch(/"workers":2,.*"msg":"gateway ready"/);
    for (let i = 0; i < 4; i += 1) await answers(gateway.url);
  });

  it('replaces a worker that dies and keeps answering meanwhile', async () => {
    const [victim, survivor] = workersOf(primary) as [number, number];
    process.kill(victim, 'SIGKILL');
    await gateway.running.waitFor(new RegExp(`"level":50.*"worker":${victim},"code":null,"signal":"SIGKILL","msg":"worker died"`));
    await answersOnNewConnection(gateway.url);

    await expect.poll(() => workersOf(primary), { timeout: 60_000, interval: 200 }).toHaveLength(2);
    const workers = workersOf(primary);
    expect(workers).toContain(survivor);
    expect(workers).not.toContain(victim);
    const replacement = workers.find((worker) => worker !== survivor)!;
    await gateway.running.waitFor(new RegExp(`"worker":${replacement},"msg":"worker ready"`));
    await answersOnNewConnection(gateway.url);
  });

  it('stops every worker and exits 0 on Ctrl-C, which reaches every process', async () => {
    const workers = workersOf(primary);
    const before = gateway.running.output().length;
    expect(await gateway.stop()).toBe(0);
    await gateway.running.groupGone();
    for (const worker of workers) expect(() => process.kill(worker, 0)).toThrow();
    // Each worker stopped once; none was taken for dead and replaced.
    const after = gateway.running.output().slice(before);
    expect(after.match(/"msg":"shutting down"/g)).toHaveLength(3);
    expect(after).not.toMatch(/worker died|worker ready/);
  });

  it('stops every worker and exits 0 on SIGTERM to the primary alone', async () => {
    const second = await start();
    try {
      const workers = workersOf(second.running.child.pid!);
      expect(workers).toHaveLength(2);
      process.kill(second.running.child.pid!, 'SIGTERM');
      expect(await second.running.exited).toBe(0);
      await second.running.groupGone();
      for (const worker of workers) expect(() => process.kill(worker, 0)).toThrow();
      await expect(fetch(second.url)).rejects.toThrow();
    } finally {
      await second.stop();
    }
  });

  it('gives up, rather than restart for ever, when new workers cannot start', async () => {
    const broken = await start();
    try {
      // The file is gone: every replacement fails to read it.
      await rm(broken.supergraph);
      const [victim] = workersOf(broken.running.child.pid!) as [number];
      process.kill(victim, 'SIGKILL');
      expect(await broken.running.exited).toBe(1);
      expect(broken.running.output()).toMatch(/Cannot read the supergraph .*: no such file/);
      expect(broken.running.output()).toMatch(/3 new gateway workers in a row died before they were ready; stopping/);
      await broken.running.groupGone();
    } finally {
      await broken.stop();
    }
  }, 60_000);

  it('exits 1 once, without retrying, when the supergraph cannot be served', async () => {
    const junction = run('node', ['bin/junction.js', 'gateway', '--supergraph', 'package.json', '--workers', '2'], {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'silent',
    });
    expect(await junction.exited).toBe(1);
    expect(junction.output()).toMatch(/Cannot serve the supergraph package.json/);
    expect(junction.output()).toMatch(/A gateway worker exited \(code 1\) before it was ready; stopping/);
    await junction.groupGone();
  });
});

describe('junction gateway --workers refuses what it cannot do', () => {
  it.each([
    [['--workers', '0'], /--workers must be a whole number of at least 1, or "auto"; got "0"/],
    [['--workers', 'x'], /--workers must be a whole number of at least 1, or "auto"; got "x"/],
    [['--workers', '2'], /--workers 2 needs DATABASE_URL \(or API_KEYS=false\): the embedded database cannot be shared/],
  ])('junction gateway %j exits 2', async (args, message) => {
    const junction = run('node', ['bin/junction.js', 'gateway', '--supergraph', 'supergraph.graphql', ...args], {
      DATABASE_URL: undefined,
      LOG_LEVEL: 'silent',
    });
    expect(await junction.exited).toBe(2);
    expect(junction.output()).toMatch(message);
  });
});
