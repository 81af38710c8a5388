import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  developmentJwtVerifier,
  DEVELOPMENT_KEYS_FILE,
  jwtVerifierFromEnv,
  loadDevelopmentKeys,
  signDevelopmentToken,
} from '#gateway/stages/identify/jwt.js';
import { run } from '../../support/processes.js';
import {
  AUDIENCE,
  ISSUER,
  refusal,
  startTokenIssuer,
  token,
  unauthenticated,
  type Signer,
  type TokenIssuer,
} from '../../support/token-issuer.js';

/**
 * Development tokens: the key pair made on first use in the data directory,
 * the tokens it signs (by function and by `junction token`), and when the
 * verifier the environment asks for accepts them instead of a provider's JWKS.
 */
let issuer: TokenIssuer;
let dir: string;
let jwksFile: string;
let es: Signer;

beforeAll(async () => {
  issuer = await startTokenIssuer();
  ({ dir, jwksFile, es } = issuer);
});

afterAll(() => issuer?.stop());

describe('development keys', () => {
  it('are made on first use, private to their owner, and the same ever after', async () => {
    const dataDir = join(dir, 'dev-first-use');
    const keys = await loadDevelopmentKeys(dataDir);
    const file = join(dataDir, DEVELOPMENT_KEYS_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(keys.privateKey).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', d: expect.any(String) });
    expect(keys.jwks.keys).toEqual([expect.objectContaining({ kid: keys.privateKey.kid, alg: 'ES256' })]);
    expect(keys.jwks.keys[0]).not.toHaveProperty('d');
    expect(await loadDevelopmentKeys(dataDir)).toEqual(keys);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(keys);
  });

  it('made by several at once end up as one pair that all of them use', async () => {
    const dataDir = join(dir, 'dev-race');
    const loaded = await Promise.all(Array.from({ length: 8 }, () => loadDevelopmentKeys(dataDir)));
    expect(new Set(loaded.map((keys) => keys.privateKey.kid)).size).toBe(1);
    expect(await readdir(dataDir)).toEqual([DEVELOPMENT_KEYS_FILE]);
  });

  it('in a file that is not theirs are refused with a clear message', async () => {
    const dataDir = join(dir, 'dev-corrupt');
    await loadDevelopmentKeys(dataDir);
    await writeFile(join(dataDir, DEVELOPMENT_KEYS_FILE), '{"keys": []}');
    await expect(loadDevelopmentKeys(dataDir)).rejects.toThrow(/is not a development key file; delete it/);
  });

  it('sign tokens that the development verifier accepts, for this audience only', async () => {
    const dataDir = join(dir, 'dev-round-trip');
    const signed = await signDevelopmentToken({ dataDir, subject: '42', scopes: ['a', 'b'], expiresIn: '5m', audience: 'junction' });
    const verify = await developmentJwtVerifier({ dataDir, audience: 'junction' });
    expect(await verify(signed)).toEqual({ kind: 'user', subject: '42', scopes: ['a', 'b'], expiresAt: expect.any(Number) });
    const elsewhere = await developmentJwtVerifier({ dataDir, audience: 'another-api' });
    expect(await refusal(elsewhere(signed))).toEqual(unauthenticated('The token is not for this API (audience).'));
    const otherKeys = await developmentJwtVerifier({ dataDir: join(dir, 'dev-other'), audience: 'junction' });
    expect(await refusal(otherKeys(signed))).toEqual(unauthenticated('The token is not valid.'));
  });
});

describe('the verifier the environment asks for', () => {
  const base = { JWT_AUDIENCE: 'junction', JWT_ISSUER: undefined, JWKS_URL: undefined, JWKS_FILE: undefined };

  it('outside production without a JWKS, accepts development tokens', async () => {
    const dataDir = join(dir, 'env-development');
    const verify = await jwtVerifierFromEnv({ ...base, JUNCTION_DATA_DIR: dataDir, production: false });
    const signed = await signDevelopmentToken({ dataDir, subject: '7', audience: 'junction' });
    expect(await verify(signed)).toEqual({ kind: 'user', subject: '7', scopes: [], expiresAt: expect.any(Number) });
  });

  it('in production without a JWKS, accepts no bearer token at all', async () => {
    const dataDir = join(dir, 'env-production');
    const verify = await jwtVerifierFromEnv({ ...base, JUNCTION_DATA_DIR: dataDir, production: true });
    const signed = await signDevelopmentToken({ dataDir, subject: '7', audience: 'junction' });
    expect(await refusal(verify(signed))).toEqual(
      unauthenticated('This gateway accepts no bearer tokens (no JWKS configured).'),
    );
  });

  it('with a JWKS file, trusts its keys and not the development key', async () => {
    const dataDir = join(dir, 'env-file');
    const verify = await jwtVerifierFromEnv({
      ...base,
      JWKS_FILE: jwksFile,
      JWT_AUDIENCE: AUDIENCE,
      JWT_ISSUER: ISSUER,
      JUNCTION_DATA_DIR: dataDir,
      production: true,
    });
    expect(await verify(await token(es))).toMatchObject({ subject: 'user-1' });
    const development = await signDevelopmentToken({ dataDir, subject: '7', audience: AUDIENCE });
    expect(await refusal(verify(development))).toEqual(unauthenticated('The token is not valid.'));
  });
});

describe('junction token', () => {
  it('prints development tokens; processes starting together share one key pair', async () => {
    const dataDir = join(dir, 'cli');
    const processes = Array.from({ length: 3 }, (_, index) =>
      run('node', ['bin/junction.js', 'token', '--user', `u${index}`, '--scopes', 'read write', '--expires', '10m'], {
        JUNCTION_DATA_DIR: dataDir,
        NODE_ENV: 'development',
        JWKS_URL: '',
        JWKS_FILE: '',
        JWT_AUDIENCE: '',
      }),
    );
    const codes = await Promise.all(processes.map((process) => process.exited));
    expect(codes, processes.map((process) => process.output()).join('\n')).toEqual([0, 0, 0]);
    const verify = await developmentJwtVerifier({ dataDir, audience: 'junction' });
    for (const [index, process] of processes.entries()) {
      const printed = process.output().trim();
      expect(await verify(printed)).toEqual({ kind: 'user', subject: `u${index}`, scopes: ['read', 'write'], expiresAt: expect.any(Number) });
    }
  });

  it('refuses to run without --user, and in production', async () => {
    const noUser = run('node', ['bin/junction.js', 'token'], { JUNCTION_DATA_DIR: join(dir, 'cli-refusals') });
    expect(await noUser.exited).toBe(2);
    expect(noUser.output()).toContain('--user must be a user id.');
    const production = run('node', ['bin/junction.js', 'token', '--user', '1'], {
      NODE_ENV: 'production',
      GATEWAY_SECRET: 'a-production-secret-of-at-least-32-chars',
      JUNCTION_DATA_DIR: join(dir, 'cli-refusals'),
    });
    expect(await production.exited).toBe(1);
    expect(production.output()).toContain('Development tokens are not accepted in production');
  });
});
