import { SignJWT, jwtVerify, errors } from 'jose';
import { unauthenticated } from './errors.js';

/**
 * Who is calling. Subgraphs learn it from the `Authorization: Bearer` token the
 * gateway forwards: an HS256 JWT whose subject is the user's id, signed with
 * JWT_SECRET and issued for Junction.
 */
export type Viewer = { userId: number };

const ISSUER = 'junction';
const AUDIENCE = 'junction';

export function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** A token for `userId`, valid for `expiresIn` (e.g. "1h", "7d"). */
export function signViewerToken(userId: number, secret: string, expiresIn = '1h'): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(userId))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(secretKey(secret));
}

/**
 * The viewer an Authorization header names: `null` without one, an
 * UNAUTHENTICATED error for anything malformed, forged or expired.
 */
export async function verifyViewer(authorization: string | undefined, secret: string): Promise<Viewer | null> {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match?.[1]) throw unauthenticated('The Authorization header must be "Bearer <token>".');
  try {
    const { payload } = await jwtVerify(match[1], secretKey(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    const userId = Number(payload.sub);
    if (!Number.isSafeInteger(userId) || userId <= 0) throw unauthenticated('The token names no user.');
    return { userId };
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw unauthenticated('The token has expired.');
    if (error instanceof errors.JOSEError) throw unauthenticated('The token is not valid.');
    throw error;
  }
}

/**
 * The viewer, worked out on first use and remembered for the request, so
 * operations that never ask who is calling never pay for (or fail on) a token.
 */
export function lazyViewer(authorization: string | undefined, secret: string): () => Promise<Viewer | null> {
  let viewer: Promise<Viewer | null> | undefined;
  return () => (viewer ??= verifyViewer(authorization, secret));
}
