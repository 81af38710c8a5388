/**
 * `npm run bench`: Junction beside stock @apollo/gateway for queries
 * (bench/queries.ts), or, with `--subscriptions`, many concurrent
 * subscriptions on one Junction gateway (bench/subscriptions.ts).
 */
if (process.argv.slice(2).includes('--subscriptions')) await import('./subscriptions.js');
else await import('./queries.js');
