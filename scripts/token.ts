import { loadEnv } from '#lib/env.js';
import { signDevelopmentToken } from '#gateway/stages/identify/jwt.js';
import { fail, parseCommandLine } from './command-line.js';

const USAGE = `Usage: junction token --user ID [--scopes "a b"] [--expires 1h]

Prints a bearer token for the user, signed with the development key in
JUNCTION_DATA_DIR/dev-jwks.json (made on first use), which the gateway accepts
when neither JWKS_URL nor JWKS_FILE is set, outside production:
  curl -H "Authorization: Bearer $(npx junction token --user 1)" ...
  --user ID        the token's subject
  --scopes "a b"   the scopes it grants, space-separated
  --expires 1h     how long it is valid ("30m", "1h", "7d"...)`;

export async function main(argv: string[]): Promise<void> {
  const values = parseCommandLine(
    USAGE,
    {
      user: { type: 'string' },
      scopes: { type: 'string', default: '' },
      expires: { type: 'string', default: '1h' },
    },
    argv,
  );
  const subject = values.user?.trim();
  if (!subject || /\s/.test(subject)) fail(`--user must be a user id.\n\n${USAGE}`, 2);
  if (!/^\d+\s*[a-z]+$/i.test(values.expires)) fail(`--expires must be a duration such as 30m, 1h or 7d.\n\n${USAGE}`, 2);

  const env = loadEnv();
  if (env.production) fail('Development tokens are not accepted in production; get a token from your identity provider.', 1);
  if (env.JWKS_URL || env.JWKS_FILE) {
    process.stderr.write('Note: JWKS_URL or JWKS_FILE is set, so the gateway trusts those keys and will refuse this token.\n');
  }
  const token = await signDevelopmentToken({
    dataDir: env.JUNCTION_DATA_DIR,
    subject,
    scopes: values.scopes.split(/\s+/).filter(Boolean),
    expiresIn: values.expires,
    audience: env.JWT_AUDIENCE,
  }).catch((error: Error) => fail(error.message, 1));
  process.stdout.write(`${token}\n`);
}
