#!/usr/bin/env -S node --max-semi-space-size=64
// The `junction` command. Junction is written in TypeScript and run through
// tsx, which compiles each module as it is first loaded.
//
// --max-semi-space-size=64 (MiB; Node's default is 16): a gateway holds each
// request's subgraph answers while its fetches are in flight, and with the
// default young generation most of that data outlives a scavenge and is
// promoted, to be collected later by the far costlier full GC. With 64 MiB it
// dies young: 20% less CPU per request in the benchmark (docs/PERFORMANCE.md),
// for ~70 MiB more resident memory. Run as `node bin/junction.js`, pass it yourself.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../scripts/cli.ts');
await run(process.argv.slice(2));
