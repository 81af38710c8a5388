import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import type { GraphQLError } from 'graphql';
import type { Env } from '#lib/env.js';
import { downstreamError, unauthenticated } from '#lib/errors.js';
import { scopesOf, type Identity } from '#lib/identity.js';

/** Verifies a bearer token: the caller's identity, or a GraphQLError (UNAUTHENTICATED). */
export type JwtVerifier = (token: string) => Promise<Identity>;

export type JwtVerifierOptions = {
  /** Where the identity provider publishes its keys; fetched on demand and cached. */
  jwksUrl?: string;
  /** A JWKS file, read once at start. */
  jwksFile?: string;
  /** A JWKS already in memory (the development keys). */
  jwks?: JSONWebKeySet;
  /** The `aud` a token must name: this API. */
  audience: string | string[];
  /** The `iss` a token must name, when set. */
  issuer?: string;
  algorithms?: string[];
};

/**
 * Only signatures made with a private key: with HS256 anyone holding the
 * verification secret could mint tokens, and `none` is no signature at all.
 */
const ASYMMETRIC = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

/** Room for clocks that disagree a little between the identity provider and us. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** Where development keys live, and the issuer their tokens name (never a real provider's). */
export const DEVELOPMENT_KEYS_FILE = 'dev-jwks.json';
export const DEVELOPMENT_ISSUER = 'junction-development';

export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const { audience, issuer, algorithms = ['RS256', 'ES256'] } = options;
  const refused = algorithms.filter((alg) => !ASYMMETRIC.has(alg));
  if (algorithms.length === 0 || refused.length > 0) {
    throw new Error(`JWT algorithms must be asymmetric (${[...ASYMMETRIC].join(', ')}); refused: ${refused.join(', ') || 'none given'}.`);
  }
  const sources = [options.jwksUrl, options.jwksFile, options.jwks].filter((source) => source !== undefined);
  if (sources.length !== 1) throw new Error('Give exactly one of jwksUrl, jwksFile and jwks.');

  const remote = options.jwksUrl !== undefined;
  const keys: JWTVerifyGetKey = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl), {
        // A slow provider must not hold requests long; keys are reused for 10 minutes, and a token
        // with an unknown `kid` (a rotation) refetches at most every 30 seconds, so junk kids
        // cannot make us hammer the provider.
        timeoutDuration: 5_000,
        cooldownDuration: 30_000,
        cacheMaxAge: 10 * 60_000,
      })
    : createLocalJWKSet(options.jwks ?? readJwksFile(options.jwksFile!));

  return async (token) => {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms,
        audience,
        ...(issuer ? { issuer } : {}),
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      throw tokenError(error, remote);
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw unauthenticated('The token names no subject.');
    const client = [payload.client_id, payload.azp].find((claim): claim is string => typeof claim === 'string' && claim !== '');
    const scopes = scopesOf({ scope: payload.scope, scp: payload.scp });
    // requiredClaims made exp a number; past it (and the tolerance) the token would be refused, so what it opened ends then.
    const expiresAt = ((payload.exp as number) + CLOCK_TOLERANCE_SECONDS) * 1000;
    return { kind: 'user', subject: payload.sub, scopes, ...(client ? { client } : {}), expiresAt };
  };
}

/** What the caller may be told about a token that failed: why, safely, and never the token. */
function tokenError(error: unknown, remote: boolean): GraphQLError {
  if (error instanceof errors.JWTExpired) return unauthenticated('The token has expired.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') {
      if (error.claim === 'exp') return unauthenticated('The token has no expiry (exp).');
      if (error.claim === 'sub') return unauthenticated('The token names no subject.');
    }
    if (error.claim === 'aud') return unauthenticated('The token is not for this API (audience).');
    if (error.claim === 'iss') return unauthenticated('The token is not from a trusted issuer (issuer).');
    if (error.claim === 'nbf') return unauthenticated('The token is not valid yet.');
    return unauthenticated('The token is not valid.');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return unauthenticated('The token is not valid (signing algorithm not accepted).');
  // The provider's key set is unreachable or broken: not the caller's fault, so not "invalid".
  // (jose throws a bare JOSEError only for a key set response that is not 200 or not JSON.)
  const keySetFailed =
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    (error instanceof errors.JOSEError && error.code === errors.JOSEError.code) ||
    !(error instanceof errors.JOSEError);
  if (remote && keySetFailed) {
    return downstreamError('The token cannot be verified right now: the identity provider is unavailable.');
  }
  if (error instanceof errors.JOSEError) return unauthenticated('The token is not valid.');
  throw error;
}

function readJwksFile(file: string): JSONWebKeySet {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`Cannot read the JWKS file ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}.`);
  }
  let jwks: unknown;
  try {
    jwks = JSON.parse(text);
  } catch {
    throw new Error(`The JWKS file ${file} is not JSON.`);
  }
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'object' && key !== null && 'kty' in key)) {
    throw new Error(`The JWKS file ${file} is not a JSON Web Key Set: expected {"keys": [{"kty": ...}, ...]} with at least one key.`);
  }
  // A verifier needs public keys only; a private or symmetric key here is a leak waiting to happen.
  if (keys.some((key: JWK) => key.kty === 'oct' || key.d !== undefined)) {
    throw new Error(`The JWKS file ${file} holds private or symmetric keys; it must hold public keys only.`);
  }
  return { keys };
}

/**
 * The verifier the gateway's environment asks for: its JWKS_URL or JWKS_FILE;
 * without either, outside production, the development keys under
 * JUNCTION_DATA_DIR (what `junction token` signs with); in production without
 * either, none: every bearer token is refused.
 */
export async function jwtVerifierFromEnv(
  env: Pick<Env, 'JWKS_URL' | 'JWKS_FILE' | 'JWT_AUDIENCE' | 'JWT_ISSUER' | 'JUNCTION_DATA_DIR' | 'production'>,
): Promise<JwtVerifier> {
  const claims = { audience: env.JWT_AUDIENCE, ...(env.JWT_ISSUER ? { issuer: env.JWT_ISSUER } : {}) };
  if (env.JWKS_URL) return createJwtVerifier({ jwksUrl: env.JWKS_URL, ...claims });
  if (env.JWKS_FILE) return createJwtVerifier({ jwksFile: env.JWKS_FILE, ...claims });
  if (env.production) {
    return async () => {
      throw unauthenticated('This gateway accepts no bearer tokens (no JWKS configured).');
    };
  }
  return developmentJwtVerifier({ dataDir: env.JUNCTION_DATA_DIR, audience: env.JWT_AUDIENCE });
}

/** Accepts the tokens `signDevelopmentToken` (and so `junction token`) makes; never use in production. */
export async function developmentJwtVerifier(options: { dataDir: string; audience: string }): Promise<JwtVerifier> {
  const { jwks } = await loadDevelopmentKeys(options.dataDir);
  return createJwtVerifier({ jwks, audience: options.audience, issuer: DEVELOPMENT_ISSUER, algorithms: ['ES256'] });
}

/** A development key pair: the private key signs `junction token`'s tokens, the public JWKS verifies them. */
export type DevelopmentKeys = { privateKey: JWK; jwks: JSONWebKeySet };

/**
 * The development key pair in `<dataDir>/dev-jwks.json`, created on first use.
 * Processes that start together may both create one: each writes its own to a
 * temporary file and links it into place, which fails if a file is already
 * there, so the first one wins and the others adopt it.
 */
export async function loadDevelopmentKeys(dataDir: string): Promise<DevelopmentKeys> {
  const file = join(dataDir, DEVELOPMENT_KEYS_FILE);
  const existing = await readDevelopmentKeys(file);
  if (existing) return existing;

  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const keys: DevelopmentKeys = {
    privateKey: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
    jwks: { keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] },
  };
  await mkdir(dataDir, { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  try {
    await link(temporary, file);
    return keys;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readDevelopmentKeys(file);
    if (!winner) throw new Error(`${file} vanished while being created.`);
    return winner;
  } finally {
    await unlink(temporary);
  }
}

async function readDevelopmentKeys(file: string): Promise<DevelopmentKeys | null> {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const keys = JSON.parse(text) as Partial<DevelopmentKeys>;
    if (typeof keys.privateKey?.d === 'string' && Array.isArray(keys.jwks?.keys)) return keys as DevelopmentKeys;
  } catch {
    // Reported below, as for any other shape.
  }
  throw new Error(`${file} is not a development key file; delete it and a new key pair will be made.`);
}

export type DevelopmentTokenOptions = {
  dataDir: string;
  subject: string;
  scopes?: readonly string[];
  /** A duration such as "1h" or "7d". */
  expiresIn?: string;
  audience: string;
  client?: string;
};

/** A token signed with the development key, as an identity provider would issue it. */
export async function signDevelopmentToken(options: DevelopmentTokenOptions): Promise<string> {
  const { privateKey } = await loadDevelopmentKeys(options.dataDir);
  const scopes = options.scopes ?? [];
  return new SignJWT({
    ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
    ...(options.client ? { client_id: options.client } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', ...(privateKey.kid ? { kid: privateKey.kid } : {}) })
    .setSubject(options.subject)
    .setIssuer(DEVELOPMENT_ISSUER)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(await importJWK(privateKey, 'ES256'));
}
