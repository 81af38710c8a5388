import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';

/**
 * A stand-in for the identity provider a deployment trusts: its own key pair,
 * its public keys published as a JWKS file for the gateway's JWKS_FILE, and
 * tokens signed the way such a provider signs them.
 */
export type IdentityProvider = {
  jwksFile: string;
  audience: string;
  /** A token for `subject`; `claims` override or add to the defaults (e.g. exp, aud). */
  token(subject: string, options?: { scopes?: string[]; claims?: Record<string, unknown>; expiresIn?: string | number }): Promise<string>;
};

export async function createIdentityProvider(
  options: { algorithm?: 'ES256' | 'RS256'; audience?: string; issuer?: string } = {},
): Promise<IdentityProvider> {
  const algorithm = options.algorithm ?? 'ES256';
  const audience = options.audience ?? 'junction';
  const { publicKey, privateKey } = await generateKeyPair(algorithm, { extractable: true });
  const kid = `test-${algorithm.toLowerCase()}`;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: algorithm, use: 'sig' };
  const dir = await mkdtemp(join(tmpdir(), 'junction-idp-'));
  const jwksFile = join(dir, 'jwks.json');
  await writeFile(jwksFile, JSON.stringify({ keys: [jwk] }));
  return {
    jwksFile,
    audience,
    async token(subject, { scopes = [], claims = {}, expiresIn = '10m' } = {}) {
      // Claims the caller gives win over the defaults, to make bad tokens (expired, wrong audience).
      const { exp, aud, ...rest } = claims;
      const jwt = new SignJWT({ ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}), ...rest })
        .setProtectedHeader({ alg: algorithm, kid })
        .setSubject(subject)
        .setAudience((aud as string | undefined) ?? audience)
        .setIssuedAt()
        .setExpirationTime((exp as number | undefined) ?? expiresIn);
      if (options.issuer) jwt.setIssuer(options.issuer);
      return jwt.sign(privateKey);
    },
  };
}
