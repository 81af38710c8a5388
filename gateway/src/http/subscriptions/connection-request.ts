import type { IncomingMessage } from 'node:http';

/** The credentials a `connection_init` payload may carry, as the headers the identify stage reads. */
const CREDENTIALS = ['authorization', 'x-api-key'] as const;
/** The longest credential read from a payload; longer ones are left out, as an oversized header would be refused. */
const MAX_CREDENTIAL_CHARACTERS = 8_192;

/**
 * The upgrade request as the stages should see it for a WebSocket connection:
 * its own headers, with the credentials of `connection_init`'s payload over
 * them. Browsers cannot set headers on a WebSocket, so clients put them there:
 * `{ "Authorization": "Bearer …" }`, `{ "x-api-key": "…" }`, or the same under
 * `headers` (Apollo Client's and graphql-ws's usual `connectionParams`), names
 * in any case. Everything else of the request (its socket, its address) is the
 * upgrade's own.
 */
export function connectionRequest(upgrade: IncomingMessage, payload: unknown): IncomingMessage {
  const given = credentialsOf(payload);
  if (Object.keys(given).length === 0) return upgrade;
  const headers = { ...upgrade.headers, ...given };
  return Object.create(upgrade, { headers: { value: headers, enumerable: true } }) as IncomingMessage;
}

function credentialsOf(payload: unknown): Record<string, string> {
  const found: Record<string, string> = {};
  if (!isObject(payload)) return found;
  for (const source of [payload, isObject(payload.headers) ? payload.headers : undefined]) {
    if (!source) continue;
    for (const [name, value] of Object.entries(source)) {
      const lower = name.toLowerCase();
      if ((CREDENTIALS as readonly string[]).includes(lower) && typeof value === 'string' && value.length <= MAX_CREDENTIAL_CHARACTERS) found[lower] = value;
    }
  }
  return found;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
