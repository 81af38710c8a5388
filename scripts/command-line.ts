import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type WithHelp<T extends Options> = T & { help: { type: 'boolean'; short: 'h' } };

/**
 * What every `npm run` script does with its command line: parse the options,
 * print the usage for --help (exit 0), and name the mistake with the usage
 * for anything else it does not know (exit 2, a usage error).
 */
export function parseCommandLine<const T extends Options>(usage: string, options: T, args?: string[]) {
  const withHelp = { ...options, help: { type: 'boolean', short: 'h' } } as WithHelp<T>;
  let values;
  try {
    ({ values } = parseArgs<{ options: WithHelp<T>; args: string[] | undefined }>({ options: withHelp, args }));
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${usage}`, 2);
  }
  if ((values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values;
}

/** Ends the script with `message` on stderr: exit 1 for a failure, 2 for a usage error. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
