import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import { unauthenticated } from '#lib/errors.js';
import type { Identity } from '#lib/identity.js';
import { refusal, type Stage } from '#gateway/pipeline/stage.js';
import type { ApiKeyVerifier } from './api-keys.js';
import type { JwtVerifier } from './jwt.js';

export type IdentifyOptions = {
  verifyJwt: JwtVerifier;
  /** Verifies `x-api-key`; without one the gateway accepts no API keys. */
  verifyKey?: ApiKeyVerifier | undefined;
};

/**
 * Who is calling: an API key (`x-api-key`), a JWT (`Authorization: Bearer`),
 * or nobody. Bad credentials are refused rather than treated as anonymous, so
 * a caller learns their key or token is wrong: 401 for a bad credential, the
 * caller's to fix; 503 when the identity provider cannot be reached.
 */
export function identifyStage(options: IdentifyOptions): Stage {
  const identify = identifier(options);
  return {
    name: 'identify',
    async onRequest(request) {
      try {
        request.identity = await identify(request.req);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        const code = String(error.extensions.code ?? 'UNAUTHENTICATED');
        if (code === 'UNAUTHENTICATED') return refusal(401, code, error.message, { headers: { 'www-authenticate': 'Bearer' } });
        return refusal(503, code, error.message);
      }
      return undefined;
    },
  };
}

function identifier({ verifyJwt, verifyKey }: IdentifyOptions) {
  return async (req: IncomingMessage): Promise<Identity | null> => {
    const apiKey = req.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey) {
      if (!verifyKey) throw unauthenticated('This gateway accepts no API keys.');
      return verifyKey(apiKey);
    }
    const authorization = req.headers.authorization;
    if (!authorization) return null;
    const bearer = bearerToken(authorization);
    if (!bearer) throw unauthenticated('The Authorization header must be "Bearer <token>".');
    return verifyJwt(bearer);
  };
}

const WHITESPACE = /\s/;

/**
 * The token of `Bearer <token>` (the scheme in any case, then whitespace,
 * then a token without any), read in one pass: the header is the client's,
 * and may be `Bearer` and 16 KB of spaces.
 */
export function bearerToken(authorization: string): string | undefined {
  if (authorization.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  const rest = authorization.slice(6);
  // trimStart drops what `\s` matches.
  const token = rest.trimStart();
  if (token.length === rest.length || token === '') return undefined;
  return WHITESPACE.test(token) ? undefined : token;
}
