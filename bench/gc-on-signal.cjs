// Preloaded into the gateway by the subscription benchmark (bench/subscriptions.ts), with
// --expose-gc: SIGUSR2 runs a full garbage collection, so the heap the harness reads next
// is what is still held, not what the collector has not come to yet.
process.on('SIGUSR2', () => globalThis.gc?.());
