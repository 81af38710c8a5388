/**
 * The gateways the benchmark compares, and how each is started: stock
 * @apollo/gateway as its documentation starts it, and `junction gateway`
 * as `npx junction` starts it, with one worker and with two.
 */
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { start, type Started } from './processes.js';

export type GatewaySpec = {
  name: 'baseline' | 'junction' | 'junction-2';
  label: string;
  /** Which cores it may use; `gateway` and `load` name the two cores the harness splits. */
  launch(options: { supergraph: string; port: number; dir: string; cpus?: { gateway: string; load: string } }): Started;
  /** The cores it runs on, given the gateway's and the load's. */
  cores(cpus: { gateway: string; load: string }): string;
};

export const SECRET = 'benchmark-gateway-secret-of-32-characters';

/** The node options `npx junction` runs with: those on bin/junction.js's #! line. */
export const JUNCTION_NODE_OPTIONS =
  /^#!.*\bnode\b(.*)$/m.exec(readFileSync('bin/junction.js', 'utf8'))?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];

/**
 * Where `junction gateway` keeps API keys: DATABASE_URL, else the local
 * Postgres when one answers, else (one worker only) the embedded database,
 * whose memory then counts in the gateway's RSS.
 */
export async function gatewayDatabase(): Promise<string | undefined> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  // The smoke test asks for the embedded database, to leave the local server alone.
  if (process.env.JUNCTION_BENCH_DATABASE === 'embedded') return undefined;
  const url = 'postgres://postgres@127.0.0.1:5432/postgres';
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return url;
  } catch {
    return undefined;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function junction(workers: number, databaseUrl: string | undefined): GatewaySpec['launch'] {
  return ({ supergraph, port, dir, cpus }) =>
    start(
      'node',
      [
        ...JUNCTION_NODE_OPTIONS,
        ...['bin/junction.js', 'gateway', '--supergraph', supergraph, '--port', String(port), '--host', '127.0.0.1'],
        ...(workers > 1 ? ['--workers', String(workers)] : []),
      ],
      {
        ...(cpus ? { cpus: workers > 1 ? `${cpus.gateway},${cpus.load}` : cpus.gateway } : {}),
        env: {
          NODE_ENV: 'production',
          GATEWAY_SECRET: SECRET,
          // Every default stays on; the per-address limits are raised because all the load comes from one address.
          RATE_LIMIT_BURST: '1000000',
          RATE_LIMIT_PER_SECOND: '1000000',
          MAX_CONNECTIONS_PER_ADDRESS: '1000',
          JUNCTION_DATA_DIR: dir,
          ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        },
      },
    );
}

export function gatewaySpecs(databaseUrl: string | undefined): GatewaySpec[] {
  return [
    {
      name: 'baseline',
      label: '@apollo/gateway (stock)',
      cores: (cpus) => cpus.gateway,
      // Stock @apollo/gateway refuses the @authenticated/@requiresScopes links (for: SECURITY): it gets the supergraph without them.
      launch: ({ supergraph, port, cpus }) =>
        start('node', ['--import', 'tsx', 'bench/baseline-gateway.ts', supergraph.replace(/\.graphql$/, '-stock.graphql'), String(port)], {
          ...(cpus ? { cpus: cpus.gateway } : {}),
          env: { NODE_ENV: 'production' },
        }),
    },
    { name: 'junction', label: 'junction gateway', cores: (cpus) => cpus.gateway, launch: junction(1, databaseUrl) },
    {
      name: 'junction-2',
      label: 'junction gateway --workers 2',
      cores: (cpus) => `${cpus.gateway},${cpus.load}`,
      launch: junction(2, databaseUrl),
    },
  ];
}
