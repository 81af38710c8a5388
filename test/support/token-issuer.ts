import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLError } from 'graphql';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { expect } from 'vitest';

/**
 * An identity provider as the gateway's JWT verifier meets it: real RS256 and
 * ES256 key pairs, their public keys as a JWKS in a file (for JWKS_FILE) and
 * served over HTTP (for JWKS_URL), and tokens signed the way it issues them.
 */
export const AUDIENCE = 'https://api.example.com';
export const ISSUER = 'https://id.example.com/';

export type Signer = { alg: 'RS256' | 'ES256'; kid: string; privateKey: CryptoKey };

export type TokenIssuer = {
  /** A scratch directory, removed by stop(). */
  dir: string;
  jwksFile: string;
  jwksUrl: string;
  rs: Signer;
  es: Signer;
  /** A key pair the JWKS does not hold: what a forger has. */
  stranger: Signer;
  stop(): Promise<void>;
};

async function signer(alg: Signer['alg'], kid: string): Promise<Signer & { publicJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/**
 * Makes the key pairs, writes the JWKS file and serves the JWKS at jwksUrl
 * (every other path answers 500); `onJwksRequest` hears each time it is fetched.
 */
export async function startTokenIssuer({ onJwksRequest }: { onJwksRequest?: () => void } = {}): Promise<TokenIssuer> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-auth-'));
  const rs = await signer('RS256', 'rs-1');
  const es = await signer('ES256', 'es-1');
  const stranger = await signer('ES256', 'es-1');
  const jwks = JSON.stringify({ keys: [rs.publicJwk, es.publicJwk] });
  const jwksFile = join(dir, 'jwks.json');
  await writeFile(jwksFile, jwks);

  const jwksServer = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      onJwksRequest?.();
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    } else {
      res.writeHead(500).end('down for maintenance');
    }
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const { port } = jwksServer.address() as { port: number };
  return {
    dir,
    jwksFile,
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    rs,
    es,
    stranger,
    async stop() {
      await new Promise((resolve) => jwksServer.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A token as the provider would issue it; `claims` override or (as undefined) remove the defaults. */
export function token(by: Signer, claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { sub: 'user-1', aud: AUDIENCE, iss: ISSUER, iat: now, exp: now + 600, ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg: by.alg, kid: by.kid }).sign(by.privateKey);
}

/** The GraphQLError a verification failed with. */
export async function refusal(verifying: Promise<unknown>): Promise<{ message: string; code: unknown }> {
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

export const unauthenticated = (message: string) => ({ message, code: 'UNAUTHENTICATED' });
