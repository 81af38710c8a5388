import type { Outcome } from '#gateway/pipeline/outcome.js';
import type { Encoder } from './encoder.js';

/** GraphQL over HTTP's own media type, for clients that ask for it. */
export const graphqlResponseJson: Encoder = jsonEncoder(
  'application/graphql-response+json; charset=utf-8',
  (accept) => accept?.includes('application/graphql-response+json') === true,
);

/** Plain JSON: what every client can read, and the answer when nothing else is accepted. */
export const applicationJson: Encoder = jsonEncoder('application/json; charset=utf-8', () => true);

function jsonEncoder(contentType: string, accepts: Encoder['accepts']): Encoder {
  return {
    contentType,
    accepts,
    write(res, outcome, status, headers) {
      // Encoded once: its length is the byte count, and the socket takes it as it is.
      const bytes = Buffer.from(Array.isArray(outcome) ? `[${outcome.map(textOf).join(',')}]` : textOf(outcome));
      res.writeHead(status, { 'content-type': contentType, ...headers, 'content-length': bytes.length });
      res.end(bytes);
    },
  };
}

/** The executor writes a body as JSON text already; any other is serialized here. */
function textOf(outcome: Outcome): string {
  return outcome.text ?? JSON.stringify(outcome.body);
}
