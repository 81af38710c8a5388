import { badUserInput } from '#lib/errors.js';

/**
 * Cursors are opaque to clients: a UPC, base64url-encoded behind a version tag
 * so the encoding can change without breaking cursors handed out earlier.
 */
const PREFIX = 'upc:';

export function encodeCursor(upc: string): string {
  return Buffer.from(PREFIX + upc, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith(PREFIX) || encodeCursor(decoded.slice(PREFIX.length)) !== cursor) {
    throw badUserInput('after is not a cursor this API issued.', 'after');
  }
  return decoded.slice(PREFIX.length);
}
