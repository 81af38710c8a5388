import type { Outcome } from '#gateway/pipeline/outcome.js';
import type { Encoder } from './encoder.js';

/** GraphQL over HTTP's own media type, for clients that ask for it. */
export const graphqlResponseJson: Encoder = jsonEncoder('application/graphql-response+json; charset=utf-8');

/** Plain JSON: what every client can read, and the answer to a client that sends no Accept header. */
export const applicationJson: Encoder = jsonEncoder('application/json; charset=utf-8');

function jsonEncoder(contentType: string): Encoder {
  return {
    contentType,
    write(res, outcome, status, headers) {
      // Encoded once: its length is the byte count, and the socket takes it as it is.
      const bytes = Buffer.from(Array.isArray(outcome) ? `[${outcome.map(textOf).join(',')}]` : textOf(outcome));
      res.writeHead(status, { 'content-type': contentType, ...headers, 'content-length': bytes.length });
      res.end(bytes);
    },
  };
}

/** The executor writes a body as JSON text already; any other is serialized here. */
export function textOf(outcome: Outcome): string {
  return outcome.text ?? JSON.stringify(outcome.body);
}
