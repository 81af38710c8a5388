import { GraphQLError } from 'graphql';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier, type JwtVerifier } from '#gateway/stages/identify/jwt.js';
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
 * Bearer tokens as an identity provider issues them: signed with real RS256
 * and ES256 key pairs, checked against a JWKS read from a file and one served
 * over HTTP, the way the gateway is configured with JWKS_FILE or JWKS_URL;
 * and the signing algorithms the verifier accepts.
 */
let issuer: TokenIssuer;
let jwksFile: string;
let jwksUrl: string;
let rs: Signer;
let es: Signer;
let stranger: Signer;

beforeAll(async () => {
  issuer = await startTokenIssuer();
  ({ jwksFile, jwksUrl, rs, es, stranger } = issuer);
});

afterAll(() => issuer?.stop());

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
    expect(identity).toEqual({ kind: 'user', subject: 'user-1', scopes: ['read:products', 'write:reviews'], expiresAt: expect.any(Number) });
  });

  it('says when the token stops being accepted: its exp plus the clock tolerance, when what it opened ends', async () => {
    const exp = Math.floor(Date.now() / 1000) + 120;
    expect((await verify(await token(es, { exp })))?.expiresAt).toBe((exp + 5) * 1000);
  });

  it('reads scopes from scp, as a list or a string, and the client from client_id or azp', async () => {
    expect(await verify(await token(es, { scp: ['a', 'b'], client_id: 'web' }))).toEqual({
      kind: 'user',
      subject: 'user-1',
      scopes: ['a', 'b'],
      client: 'web',
      expiresAt: expect.any(Number),
    });
    expect(await verify(await token(rs, { scp: 'c d', azp: 'mobile' }))).toMatchObject({ scopes: ['c', 'd'], client: 'mobile' });
    expect(await verify(await token(rs))).toEqual({ kind: 'user', subject: 'user-1', scopes: [], expiresAt: expect.any(Number) });
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
