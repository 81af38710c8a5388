/**
 * Where a gateway's time went: the top functions by self time in a V8 CPU
 * profile (from `npm run bench -- --profile DIR`), and the time per package.
 *
 * Usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const [file, top = '30'] = process.argv.slice(2);
if (!file) throw new Error('Usage: profile-summary.ts FILE.cpuprofile [TOP]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);

/** node_modules/<package> (scoped too), "node:" internals, or the project's own file. */
function owner(url: string): string {
  if (!url) return '(native/gc/idle)';
  if (url.startsWith('node:')) return 'node';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  return url.replace(/^file:\/\/.*?\/(gateway|lib|bench|scripts)\//, '$1/');
}

const functions = new Map<string, number>();
const packages = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const name = `${functionName || '(anonymous)'}  ${owner(url)}:${lineNumber + 1}`;
  functions.set(name, (functions.get(name) ?? 0) + micros);
  packages.set(owner(url), (packages.get(owner(url)) ?? 0) + micros);
}
// Total time: each sample counts once for every distinct function on its stack.
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const inclusive = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
    if (!url) continue;
    const name = `${functionName || '(anonymous)'}  ${owner(url)}:${lineNumber + 1}`;
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
  }
}

const show = (title: string, entries: Map<string, number>, count: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    process.stdout.write(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}\n`);
  }
};
process.stdout.write(`${(total / 1e6).toFixed(1)} s sampled\n`);
show('By package (self time)', packages, 15);
show('By function (self time)', functions, Number(top));
show('By function (total time, with what it calls)', inclusive, Number(top));
