const USAGE = `Usage: junction <command> [options]

Commands:
  gateway --supergraph FILE|URL [--port N] [--workers N]
                                         serve a Federation 2 supergraph, reloading it when it changes
  token --user ID [--scopes "a b"] [--expires 1h]
                                         print a development bearer token for a user
  api-key create|revoke|list             manage partners' API keys

Run "junction <command> --help" for a command's options.`;

/** Dispatches `junction <command>` to the module that implements it. */
export async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'gateway':
      return (await import('../gateway/src/index.js')).main(rest);
    case 'token':
      return (await import('./token.js')).main(rest);
    case 'api-key':
      return (await import('./api-key.js')).main(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}\n`);
      process.exit(2);
  }
}
