import { parseArgs } from 'node:util';
import { GraphQLError } from 'graphql';
import { databaseOptions, openDatabase } from '#lib/db.js';
import { loadEnv } from '#lib/env.js';
import { createApiKey, listApiKeys, migrateGateway, revokeApiKey, type ApiKeyInfo } from '#gateway/stages/identify/api-keys.js';

const USAGE = `Usage:
  junction api-key create --name NAME --client CLIENT [--scopes "a b"] [--burst N --per-second N] [--max-cost N]
  junction api-key revoke ID|PREFIX
  junction api-key list

Manages partners' API keys (sent as the x-api-key header) in the database
named by DATABASE_URL, or the embedded one under JUNCTION_DATA_DIR.
  create   makes a key and prints it, once: only its hash is kept
  revoke   stops a key, named by its id or its prefix as "list" shows them
  list     shows every key, without the keys themselves
  --burst N --per-second N   the key's own rate limit (both, or neither)
  --max-cost N               the key's own limit on an operation's estimated cost
                             (instead of its contract's or MAX_COST)`;

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

type Options = { name?: string; client?: string; scopes: string; burst?: string; 'per-second'?: string; 'max-cost'?: string; help?: boolean };

export async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        client: { type: 'string' },
        scopes: { type: 'string', default: '' },
        burst: { type: 'string' },
        'per-second': { type: 'string' },
        'max-cost': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) return void process.stdout.write(`${USAGE}\n`);
  if (command === 'create' && rest.length > 0) fail(`Unexpected "${rest.join(' ')}".\n\n${USAGE}`, 2);
  if (command === 'revoke' && rest.length !== 1) fail(`Name one key to revoke, by id or prefix.\n\n${USAGE}`, 2);
  if (command === 'list' && rest.length > 0) fail(`Unexpected "${rest.join(' ')}".\n\n${USAGE}`, 2);
  if (!['create', 'revoke', 'list'].includes(command)) fail(`Unknown api-key command "${command}".\n\n${USAGE}`, 2);
  const create = command === 'create' ? createOptions(values) : undefined;

  const env = loadEnv();
  // The embedded database through npm start, npm run dev or a gateway when one of them runs: the key is then theirs at once.
  const database = await openDatabase(databaseOptions(env)).catch((error: Error) => fail(`Cannot open the database: ${error.message}`, 1));
  try {
    await migrateGateway(database.db);
    if (create) {
      const { id, key } = await createApiKey(database.db, create);
      process.stdout.write(`id  ${id}\nkey ${key}\n`);
      process.stderr.write('Keep the key now: it is not stored and cannot be shown again.\n');
    } else if (command === 'revoke') {
      const revoked = await revokeApiKey(database.db, rest[0]!);
      if (!revoked) {
        process.exitCode = 1;
        process.stderr.write(`No API key has the id or prefix "${rest[0]}".\n`);
      } else {
        process.stdout.write(`Revoked ${revoked.id} (${revoked.keyPrefix}…, "${revoked.name}" of ${revoked.client}).\n`);
      }
    } else {
      process.stdout.write(table(await listApiKeys(database.db)));
    }
  } catch (error) {
    // Our own refusals (bad input, an ambiguous prefix) are for the user; anything else is a bug.
    if (!(error instanceof GraphQLError)) throw error;
    process.exitCode = 1;
    process.stderr.write(`${error.message}\n`);
  } finally {
    await database.close();
  }
}

function createOptions(values: Options) {
  if (!values.name?.trim()) fail(`--name is required.\n\n${USAGE}`, 2);
  if (!values.client?.trim()) fail(`--client is required.\n\n${USAGE}`, 2);
  if ((values.burst === undefined) !== (values['per-second'] === undefined)) {
    fail(`Give --burst and --per-second together.\n\n${USAGE}`, 2);
  }
  const burst = Number(values.burst);
  const perSecond = Number(values['per-second']);
  const rateLimit = values.burst === undefined ? undefined : { burst, perSecond };
  if (rateLimit && !(Number.isSafeInteger(burst) && burst > 0 && Number.isSafeInteger(perSecond) && perSecond > 0)) {
    fail('--burst and --per-second must be positive whole numbers.', 2);
  }
  const maxCost = values['max-cost'] === undefined ? undefined : Number(values['max-cost']);
  if (maxCost !== undefined && !(Number.isSafeInteger(maxCost) && maxCost > 0)) fail('--max-cost must be a positive whole number.', 2);
  return {
    name: values.name,
    client: values.client,
    scopes: values.scopes.split(/\s+/).filter(Boolean),
    ...(rateLimit ? { rateLimit } : {}),
    ...(maxCost !== undefined ? { maxCost } : {}),
  };
}

/** One key per line, in aligned columns. */
function table(keys: ApiKeyInfo[]): string {
  if (keys.length === 0) return 'No API keys.\n';
  const minute = (date: Date | null) => (date ? date.toISOString().slice(0, 16).replace('T', ' ') : '-');
  const rows = [
    ['ID', 'PREFIX', 'NAME', 'CLIENT', 'SCOPES', 'RATE LIMIT', 'MAX COST', 'CREATED', 'LAST USED', 'REVOKED'],
    ...keys.map((key) => [
      key.id,
      key.keyPrefix,
      key.name,
      key.client,
      key.scopes.join(' ') || '-',
      key.rateLimit ? `${key.rateLimit.burst} burst, ${key.rateLimit.perSecond}/s` : 'default',
      key.maxCost === null ? 'default' : String(key.maxCost),
      minute(key.createdAt),
      minute(key.lastUsedAt),
      minute(key.revokedAt),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n') + '\n';
}
