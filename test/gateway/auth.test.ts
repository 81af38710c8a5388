import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLError } from 'graphql';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createJwtVerifier,
  developmentJwtVerifier,
  DEVELOPMENT_KEYS_FILE,
  jwtVerifierFromEnv,
  loadDevelopmentKeys,
  signDevelopmentToken,
  type JwtVerifier,
} from '../../gateway/src/auth.js';
import { freePorts, run } from '../support/processes.js';

/**
 * Bearer tokens as an identity provider issues them: signed with real RS256
 * and ES256 key pairs, checked against a JWKS read from a file and one served
 * over HTTP, the way the gateway is configured with JWKS_FILE or JWKS_URL.
 */
const AUDIENCE = 'https://api.example.com';
const ISSUER = 'https://id.example.com/';

type Signer = { alg: 'RS256' | 'ES256'; kid: string; privateKey: CryptoKey };
let rs: Signer;
let es: Signer;
/** A key pair the JWKS does not hold: what a forger has. */
let stranger: Signer;

let dir: string;
let jwksFile: string;
let jwksServer: Server;
let jwksUrl: string;
let jwksRequests = 0;

async function signer(alg: Signer['alg'], kid: string): Promise<Signer & { publicJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A token as the provider would issue it; `claims` override or (as undefined) remove the defaults. */
function token(by: Signer, claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { sub: 'user-1', aud: AUDIENCE, iss: ISSUER, iat: now, exp: now + 600, ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg: by.alg, kid: by.kid }).sign(by.privateKey);
}

/** The GraphQLError a verification failed with. */
async function refusal(verifying: Promise<unknown>): Promise<{ message: string; code: unknown }> {
  const error = await verifying.then(
    () => {
      throw new Error('expected the token to be refused');
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(GraphQLError);
  const { message, extensions } = error as GraphQLError;
  return { message, code: extensions.code };
}

const unauthenticated = (message: string) => ({ message, code: 'UNAUTHENTICATED' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'junction-auth-'));
  const rsa = await signer('RS256', 'rs-1');
  const ec = await signer('ES256', 'es-1');
  rs = rsa;
  es = ec;
  stranger = await signer('ES256', 'es-1');
  const jwks = JSON.stringify({ keys: [rsa.publicJwk, ec.publicJwk] });
  jwksFile = join(dir, 'jwks.json');
  await writeFile(jwksFile, jwks);

  jwksServer = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      jwksRequests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    } else {
      res.writeHead(500).end('down for maintenance');
    }
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const { port } = jwksServer.address() as { port: number };
  jwksUrl = `http://127.0.0.1:${port}/.well-known/jwks.json`;
});

afterAll(async () => {
  await new Promise((resolve) => jwksServer?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe.each([
  ['a JWKS file', () => createJwtVerifier({ jwksFile, audience: AUDIENCE, issuer: ISSUER })],
  ['a JWKS URL', () => createJwtVerifier({ jwksUrl, audience: AUDIENCE, issuer: ISSUER })],
])('tokens checked against %s', (_source, create) => {
  let verify: JwtVerifier;
  beforeAll(() => {
    verify = create();
  });

  it.each(['RS256', 'ES256'] as const)('accepts a %s token, naming its subject', async (alg) => {
    const identity = await verify(await token(alg === 'RS256' ? rs : es, { scope: 'read:products write:reviews' }));
    expect(identity).toEqual({ kind: 'user', subject: 'user-1', scopes: ['read:products', 'write:reviews'] });
  });

  it('reads scopes from scp, as a list or a string, and the client from client_id or azp', async () => {
    expect(await verify(await token(es, { scp: ['a', 'b'], client_id: 'web' }))).toEqual({
      kind: 'user',
      subject: 'user-1',
      scopes: ['a', 'b'],
      client: 'web',
    });
    expect(await verify(await token(rs, { scp: 'c d', azp: 'mobile' }))).toMatchObject({ scopes: ['c', 'd'], client: 'mobile' });
    expect(await verify(await token(rs))).toEqual({ kind: 'user', subject: 'user-1', scopes: [] });
  });

  it('accepts a token for several audiences, this API among them', async () => {
    expect(await verify(await token(es, { aud: ['https://other.example.com', AUDIENCE] }))).toMatchObject({ subject: 'user-1' });
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await token(es, { iat: now - 3600, exp: now - 60 });
    expect(await refusal(verify(expired))).toEqual(unauthenticated('The token has expired.'));
  });

  it('refuses a token without an expiry', async () => {
    expect(await refusal(verify(await token(rs, { exp: undefined })))).toEqual(unauthenticated('The token has no expiry (exp).'));
  });

  it('refuses a token that is not valid yet', async () => {
    const later = Math.floor(Date.now() / 1000) + 300;
    expect(await refusal(verify(await token(es, { nbf: later })))).toEqual(unauthenticated('The token is not valid yet.'));
  });

  it('refuses a token for another API', async () => {
    const elsewhere = await token(es, { aud: 'https://other.example.com' });
    expect(await refusal(verify(elsewhere))).toEqual(unauthenticated('The token is not for this API (audience).'));
    expect(await refusal(verify(await token(es, { aud: undefined })))).toEqual(
      unauthenticated('The token is not for this API (audience).'),
    );
  });

  it('refuses a token from another issuer', async () => {
    const foreign = await token(rs, { iss: 'https://evil.example.com/' });
    expect(await refusal(verify(foreign))).toEqual(unauthenticated('The token is not from a trusted issuer (issuer).'));
  });

  it('refuses a token without a subject', async () => {
    expect(await refusal(verify(await token(es, { sub: undefined })))).toEqual(unauthenticated('The token names no subject.'));
    expect(await refusal(verify(await token(es, { sub: '' })))).toEqual(unauthenticated('The token names no subject.'));
  });

  it('refuses a signature by a key the JWKS does not hold, whatever kid it claims', async () => {
    const forged = await token(stranger);
    expect(await refusal(verify(forged))).toEqual(unauthenticated('The token is not valid.'));
    const unknownKid = await token({ ...stranger, kid: 'nobody' });
    expect(await refusal(verify(unknownKid))).toEqual(unauthenticated('The token is not valid.'));
  });

  it('refuses HS256 (signed with a shared secret) and alg "none" (not signed at all)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'admin', aud: AUDIENCE, iss: ISSUER, exp: now + 600 };
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'es-1' })
      .sign(new TextEncoder().encode('a shared secret that anyone might know'));
    const unsigned = new UnsecuredJWT(claims).encode();
    for (const forged of [hs256, unsigned]) {
      expect(await refusal(verify(forged))).toEqual(unauthenticated('The token is not valid (signing algorithm not accepted).'));
    }
  });

  it('refuses garbage, and never repeats the token', async () => {
    for (const garbage of ['not-a-jwt', 'a.b.c', `${await token(es)}x`]) {
      const error = await verify(garbage).catch((error: GraphQLError) => error);
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).extensions.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(error)).not.toContain(garbage);
    }
  });
});

describe('the algorithm allowlist', () => {
  it('refuses an algorithm the verifier was not given, even with a trusted key', async () => {
    const verify = createJwtVerifier({ jwksFile, audience: AUDIENCE, algorithms: ['ES256'] });
    expect(await verify(await token(es))).toMatchObject({ subject: 'user-1' });
    expect(await refusal(verify(await token(rs)))).toEqual(
      unauthenticated('The token is not valid (signing algorithm not accepted).'),
    );
  });

  it('cannot be configured with symmetric algorithms or none', () => {
    expect(() => createJwtVerifier({ jwksFile, audience: AUDIENCE, algorithms: ['HS256'] })).toThrow(/must be asymmetric.*refused: HS256/);
    expect(() => createJwtVerifier({ jwksFile, audience: AUDIENCE, algorithms: ['ES256', 'none'] })).toThrow(/refused: none/);
  });
});

describe('a JWKS file', () => {
  it('that is missing, not JSON, not a key set, or holds private keys fails at start, naming the file', async () => {
    const missing = join(dir, 'missing.json');
    expect(() => createJwtVerifier({ jwksFile: missing, audience: AUDIENCE })).toThrow(
      `Cannot read the JWKS file ${missing}: no such file.`,
    );
    const bad = join(dir, 'bad.json');
    await writeFile(bad, 'keys: []');
    expect(() => createJwtVerifier({ jwksFile: bad, audience: AUDIENCE })).toThrow(`The JWKS file ${bad} is not JSON.`);
    for (const notJwks of [{ issuer: ISSUER }, { keys: [] }, { keys: ['x'] }]) {
      await writeFile(bad, JSON.stringify(notJwks));
      expect(() => createJwtVerifier({ jwksFile: bad, audience: AUDIENCE })).toThrow(/is not a JSON Web Key Set/);
    }
    await writeFile(bad, JSON.stringify({ keys: [await exportJWK(es.privateKey)] }));
    expect(() => createJwtVerifier({ jwksFile: bad, audience: AUDIENCE })).toThrow(/holds private or symmetric keys/);
  });
});

describe('a JWKS URL', () => {
  it('is fetched once and its keys reused', async () => {
    const verify = createJwtVerifier({ jwksUrl, audience: AUDIENCE });
    const before = jwksRequests;
    await verify(await token(es));
    await verify(await token(rs));
    await verify(await token(es));
    expect(jwksRequests - before).toBe(1);
  });

  it('that cannot be reached is the provider\'s failure, not the caller\'s, and its address is not told', async () => {
    const [closed] = await freePorts(1);
    const broken = jwksUrl.replace('/.well-known/jwks.json', '/broken');
    for (const url of [`http://127.0.0.1:${closed}/jwks.json`, broken]) {
      const verify = createJwtVerifier({ jwksUrl: url, audience: AUDIENCE });
      const error = await verify(await token(es)).catch((error: GraphQLError) => error);
      expect(error).toBeInstanceOf(GraphQLError);
      expect({ message: (error as GraphQLError).message, code: (error as GraphQLError).extensions.code }).toEqual({
        message: 'The token cannot be verified right now: the identity provider is unavailable.',
        code: 'DOWNSTREAM_SERVICE_ERROR',
      });
      expect(JSON.stringify(error)).not.toContain('127.0.0.1');
    }
  });
});

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
    expect(await verify(signed)).toEqual({ kind: 'user', subject: '42', scopes: ['a', 'b'] });
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
    expect(await verify(signed)).toEqual({ kind: 'user', subject: '7', scopes: [] });
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
      expect(await verify(printed)).toEqual({ kind: 'user', subject: `u${index}`, scopes: ['read', 'write'] });
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
