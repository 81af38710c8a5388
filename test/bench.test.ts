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
});
