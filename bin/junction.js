#!/usr/bin/env node
// The `junction` command. Junction is written in TypeScript and run through
// tsx, which compiles each module as it is first loaded.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../scripts/cli.ts');
await run(process.argv.slice(2));
