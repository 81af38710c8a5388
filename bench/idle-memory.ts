/**
 * `npm run bench:idle`: resident memory of an idle gateway, stock
 * @apollo/gateway and `junction gateway` (embedded database, no
 * DATABASE_URL, as a newcomer runs it) started side by side on the same
 * supergraph, each measured once it answers and has settled. Nothing is sent
 * to either but one small query, so this is what the process costs to hold.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { supergraphForGateway } from '#gateway/stages/authorization/authorization.js';
import { gatewaySpecs } from './gateways.js';
import { memoryMiB } from './processes.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, 'settle-ms': { type: 'string', default: '5000' }, query: { type: 'string', default: '{ __typename }' } },
});
const rounds = Number(values.rounds);
const settleMs = Number(values['settle-ms']);

const dir = await mkdtemp(join(tmpdir(), 'junction-idle-'));
const { readFile } = await import('node:fs/promises');
const sdl = await readFile('supergraph.graphql', 'utf8');
const supergraph = join(dir, 'supergraph.graphql');
await writeFile(supergraph, sdl);
await writeFile(supergraph.replace(/\.graphql$/, '-stock.graphql'), supergraphForGateway(sdl));

// The embedded database: what `junction gateway` opens when there is no DATABASE_URL.
const specs = gatewaySpecs(undefined).filter((spec) => spec.name === 'baseline' || spec.name === 'junction');
const results: Record<string, number[]> = Object.fromEntries(specs.map((spec) => [spec.label, []]));
let port = 4700;
try {
  for (let round = 0; round < rounds; round++) {
    for (const spec of specs) {
      const dataDir = await mkdtemp(join(dir, 'data-'));
      const gateway = spec.launch({ supergraph, port: ++port, dir: dataDir });
      try {
        await gateway.waitFor(/ready/);
        // One query that only the supergraph answers, then quiet.
        await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: values.query }),
        });
        await new Promise((resolve) => setTimeout(resolve, settleMs));
        results[spec.label]!.push(memoryMiB(gateway.child.pid!).rss);
      } finally {
        await gateway.stop();
      }
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const stock = median(results[specs[0]!.label]!);
process.stdout.write(`Idle RSS (MiB), ${rounds} rounds, median:\n`);
for (const spec of specs) {
  const each = results[spec.label]!;
  const value = median(each);
  process.stdout.write(`  ${spec.label.padEnd(28)} ${value.toFixed(0).padStart(5)}  (${each.map((v) => v.toFixed(0)).join(', ')})  ${(value / stock).toFixed(2)}x stock\n`);
}
