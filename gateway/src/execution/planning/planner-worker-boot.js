// A planning thread's entry point: threads do not share the TypeScript loader
// (tsx) of the thread that starts them, so each registers its own.
import { register } from 'tsx/esm/api';

register();
await import('./planner-worker.ts');
