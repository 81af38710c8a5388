import { SignJWT, jwtVerify, errors } from 'jose';

/**
 * Who is calling, once the gateway has verified it: a user from a JWT, or a
 * partner from an API key. The gateway forwards it to subgraphs as a short-lived
 * token signed with GATEWAY_SECRET (header `x-junction-gateway`), which also
 * proves that the request came through the gateway.
 */
export type Identity = {
  kind: 'user' | 'api-key';
  /** A user: the JWT's subject. An API key: the key's id. */
  subject: string;
  /** What the caller may do, as in @requiresScopes. */
  scopes: readonly string[];
  /** The client the credential belongs to (an API key's client, a JWT's client_id or azp). */
  client?: string;
  /** A per-credential rate limit, overriding the default for its kind. */
  rateLimit?: { burst: number; perSecond: number };
  /** A per-credential limit on an operation's estimated cost, overriding its contract's and MAX_COST. */
  maxCost?: number;
  /**
   * When the credential stops being accepted, in milliseconds since the epoch:
   * a JWT's `exp` plus the clock tolerance. A subscription opened with it ends
   * then (pipeline/credential-expiry.ts).
   */
  expiresAt?: number;
};

export const GATEWAY_HEADER = 'x-junction-gateway';

const ISSUER = 'junction-gateway';
const AUDIENCE = 'junction-subgraph';
/** Long enough for a slow request's last fetch, short enough that a leaked token is soon useless. */
const LIFETIME_SECONDS = 120;

type Claims = { kind?: Identity['kind']; scope?: string; client?: string };

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** The token a subgraph accepts: the caller's identity, or an anonymous caller, vouched for by the gateway. */
export function signGatewayToken(identity: Identity | null, secret: string): Promise<string> {
  const claims: Claims = identity
    ? {
        kind: identity.kind,
        scope: identity.scopes.join(' '),
        ...(identity.client ? { client: identity.client } : {}),
      }
    : {};
  const token = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${LIFETIME_SECONDS}s`);
  if (identity) token.setSubject(identity.subject);
  return token.sign(key(secret));
}

/**
 * The anonymous gateway token, signed once a minute rather than per call: what
 * the gateway sends for anonymous callers and subgraphs send each other (the
 * peer learns the call is internal, not who asked). It is reused well within its lifetime.
 */
export function anonymousGatewayToken(secret: string): () => Promise<string> {
  let current: { token: Promise<string>; expires: number } | undefined;
  return () => {
    if (!current || current.expires < Date.now()) current = { token: signGatewayToken(null, secret), expires: Date.now() + 60_000 };
    return current.token;
  };
}

export class GatewayTokenError extends Error {}

/** The identity a gateway token carries (`null`: anonymous). Throws GatewayTokenError when it is missing, forged or stale. */
export async function verifyGatewayToken(token: string | undefined, secret: string): Promise<Identity | null> {
  if (!token) throw new GatewayTokenError('Requests must come through the gateway.');
  try {
    const { payload } = await jwtVerify<Claims>(token, key(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    if (!payload.sub || !payload.kind) return null;
    return {
      kind: payload.kind,
      subject: payload.sub,
      scopes: payload.scope ? payload.scope.split(' ').filter(Boolean) : [],
      ...(payload.client ? { client: payload.client } : {}),
    };
  } catch (error) {
    if (error instanceof errors.JOSEError) throw new GatewayTokenError('The gateway token is not valid.');
    throw error;
  }
}

/** The scopes a JWT grants: `scope` (space-separated, RFC 8693) or `scp` (a list). */
export function scopesOf(payload: Record<string, unknown>): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.filter((scope): scope is string => typeof scope === 'string');
  if (typeof payload.scp === 'string') return payload.scp.split(' ').filter(Boolean);
  return [];
}
