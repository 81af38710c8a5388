import { parseArgs } from 'node:util';
import { loadEnv } from '#lib/env.js';
import { parseIntId } from '#lib/loaders.js';
import { signViewerToken } from '#lib/viewer.js';

const USAGE = `Usage: junction token --user ID [--expires 1h]

Prints a bearer token for the user, signed with JWT_SECRET, for trying
signed-in operations: curl -H "Authorization: Bearer $(npx junction token --user 1)" ...`;

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { user: { type: 'string' }, expires: { type: 'string', default: '1h' }, help: { type: 'boolean' } },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const userId = values.user === undefined ? null : parseIntId(values.user);
  if (userId === null) {
    process.stderr.write(`--user must be a user id.\n\n${USAGE}\n`);
    process.exit(2);
  }
  const env = loadEnv();
  process.stdout.write(`${await signViewerToken(userId, env.JWT_SECRET, values.expires)}\n`);
}
