import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphQLError } from 'graphql';
import { exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier } from '#gateway/stages/identify/jwt.js';
import { freePorts } from '../../support/processes.js';
import { AUDIENCE, ISSUER, startTokenIssuer, token, type Signer, type TokenIssuer } from '../../support/token-issuer.js';

/**
 * Where the verifier finds the identity provider's keys: a JWKS file, refused
 * at start when it is not one, and a JWKS URL, fetched once, whose failures
 * are the provider's and do not give its address away.
 */
let issuer: TokenIssuer;
let dir: string;
let jwksUrl: string;
let rs: Signer;
let es: Signer;
let jwksRequests = 0;

beforeAll(async () => {
  issuer = await startTokenIssuer({ onJwksRequest: () => jwksRequests++ });
  ({ dir, jwksUrl, rs, es } = issuer);
});

afterAll(() => issuer?.stop());

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
