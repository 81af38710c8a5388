import { MAX_PROPAGATED_HEADER_BYTES, propagatedClientHeaders, type HeaderPropagation } from '#lib/header-propagation.js';
import type { ClientHeaders } from '#gateway/fetch/transport.js';
import { refusal, type Stage } from '#gateway/pipeline/stage.js';

/**
 * Reads, once per request and before the body, the client headers that
 * PROPAGATE_HEADERS forwards to some subgraph, for the fetches to pick from
 * (fetch/wrappers/propagated-headers.ts). Bounded: only the names the rules
 * give (at most MAX_PROPAGATED_HEADERS), each value as Node gives it (a
 * repeated header's values joined with ", "; CR, LF and NUL never get past
 * Node's parser) and at most MAX_PROPAGATED_HEADER_BYTES long. A longer value
 * is refused with 431 rather than dropped: a subgraph that falls back to a
 * default when its tenant header is missing must not be reached without it.
 * In the stage list only when the setting forwards something.
 */
export function propagateHeadersStage(propagation: HeaderPropagation): Stage {
  const names = propagatedClientHeaders(propagation);
  return {
    name: 'propagate-headers',
    onRequest(request) {
      const headers = request.req.headers;
      let sent: Record<string, string> | undefined;
      for (const name of names) {
        const given = headers[name];
        // Node gives a string, or an array for set-cookie (never propagated); anything else is not the client's (say, Object.prototype's).
        const value = typeof given === 'string' ? given : Array.isArray(given) ? given.join(', ') : undefined;
        if (value === undefined) continue;
        if (value.length > MAX_PROPAGATED_HEADER_BYTES) {
          // The body is not read: close the connection rather than drain it.
          return refusal(431, 'REQUEST_HEADER_TOO_LARGE', `The ${name} header is longer than the ${MAX_PROPAGATED_HEADER_BYTES} bytes this gateway forwards to subgraphs.`, {
            headers: { connection: 'close' },
          });
        }
        (sent ??= Object.create(null) as Record<string, string>)[name] = value;
      }
      if (sent) request.clientHeaders = sent as ClientHeaders;
      return undefined;
    },
  };
}
