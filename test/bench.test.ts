import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { run } from './support/processes.js';

/**
 * `npm run bench` as a smoke check: a second of load per gateway, so the
 * harness cannot rot. It asserts what the harness checks (every answer
 * complete and exactly right, no errors), never a speed.
 */
describe('npm run bench', () => {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    // The gateways keep API keys in a database of this file's own, or the embedded one.
    if (process.env.DATABASE_URL) database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('runs stock @apollo/gateway and junction, checks every answer, and reports both', { timeout: 180_000 }, async () => {
    const gateways = database?.url ? 'baseline,junction,junction-2' : 'baseline,junction';
    const bench = run(
      'node',
      // Few connections: the other test files share the machine, and a loaded machine must not read as a failure.
      ['--import', 'tsx', 'bench/run.ts', '--duration', '1', '--warmup', '1', '--rounds', '1', '--connections', '5', '--small', '20', '--gateways', gateways, '--no-save'],
      { DATABASE_URL: database?.url ?? '', JUNCTION_BENCH_DATABASE: database?.url ? '' : 'embedded' },
    );
    const code = await bench.exited;
    const output = bench.output();
    expect(code, output).toBe(0);
    expect(output).toMatch(/Benchmark query \(8\d{4} bytes per answer\), 5 connections/);
    expect(output).not.toMatch(/Errors in:/);
    for (const label of ['@apollo/gateway \\(stock\\)', 'junction gateway', ...(database?.url ? ['junction gateway --workers 2'] : [])]) {
      // gateway, cores, req/s, vs stock, p50, p99, then errors: 0.
      expect(output).toMatch(new RegExp(`^${label}\\s+\\S+\\s+[\\d.]+\\s+[\\d.]+x\\s+[\\d.]+\\s+[\\d.]+\\s+0\\s`, 'm'));
    }
    expect(output).toMatch(/^straight to the accounts subgraph\s+\d+/m);
  });

  it('--subscriptions opens subscriptions, times events to the last subscriber, and checks memory over rounds', { timeout: 240_000 }, async () => {
    // A tiny scale: 20 subscriptions over 4 connections, 3 rounds (growth is judged from the second), 2 mutations.
    const bench = run(
      'node',
      ['--import', 'tsx', 'bench/run.ts', '--subscriptions', '--subscribers', '20', '--per-connection', '5', '--rounds', '3', '--mutations', '2', '--no-save'],
      // On Postgres the harness makes (and drops) a database of its own on the test server.
      { DATABASE_URL: process.env.DATABASE_URL ?? '', JUNCTION_BENCH_DATABASE: process.env.DATABASE_URL ? '' : 'embedded' },
    );
    const code = await bench.exited;
    const output = bench.output();
    expect(code, output).toBe(0);
    expect(output).toMatch(/20 subscriptions over 4 graphql-ws connections of 5, 2 mutations, 3 round\(s\)/);
    // mode, subscriptions, connections, at the subgraph (shared: 1), open s, RSS, heap, KiB/sub x2, three latencies, then missed 0 and errors 0.
    expect(output).toMatch(/^identical\s+20\s+4\s+1\s+[\d.]+\s+\d+\/\d+\s+\d+\/\d+\s+-?[\d.]+\s+-?[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+0\s+0$/m);
    expect(output).toMatch(/^distinct\s+20\s+4\s+20\s+[\d.]+\s+\d+\/\d+\s+\d+\/\d+\s+-?[\d.]+\s+-?[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+0\s+0$/m);
    expect(output).toMatch(/^identical heap MiB(\s+[\d.]+){3}\s+-?[\d.]+\s+no$/m);
    expect(output).toMatch(/^distinct heap MiB(\s+[\d.]+){3}\s+-?[\d.]+\s+no$/m);
  });
});
