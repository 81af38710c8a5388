import type { ServerResponse } from 'node:http';
import type { Outcome } from '#gateway/pipeline/outcome.js';

/**
 * Answers encoded by media type, as Yoga's result processors pick one for
 * what the client accepts: JSON and GraphQL over HTTP's
 * application/graphql-response+json today; multipart (@defer, subscriptions)
 * and server-sent events plug in as further encoders.
 */
export type Encoder = {
  /** The Content-Type it writes. */
  readonly contentType: string;
  /** Whether the request's Accept header asks for this encoding. */
  accepts(accept: string | undefined): boolean;
  /** Writes one operation's answer, or a batch's. */
  write(res: ServerResponse, outcome: Outcome | Outcome[], status: number, headers?: Readonly<Record<string, string>>): void;
};

/** Writes each answer with the first encoder the client accepts; the last one is the fallback. */
export function createAnswerWriter(encoders: readonly [Encoder, ...Encoder[]]) {
  const fallback = encoders[encoders.length - 1]!;
  return (res: ServerResponse, outcome: Outcome | Outcome[], status: number, headers?: Readonly<Record<string, string>>): void => {
    const accept = res.req.headers.accept;
    const encoder = encoders.find((each) => each.accepts(accept)) ?? fallback;
    encoder.write(res, outcome, status, headers);
  };
}
