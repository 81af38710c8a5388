import type { ServerResponse } from 'node:http';
import type { Outcome } from '#gateway/pipeline/outcome.js';
import { negotiate } from './negotiate.js';

/**
 * Answers encoded by media type, as Yoga's result processors pick one for
 * what the client accepts: JSON and GraphQL over HTTP's
 * application/graphql-response+json today; multipart (@defer, subscriptions)
 * and server-sent events plug in as further encoders.
 */
export type Encoder = {
  /** The Content-Type it writes, which the client's Accept header is negotiated against (negotiate.ts). */
  readonly contentType: string;
  /** Writes answers in parts (`@defer`): chosen only for an answer with `subsequent` payloads; any other goes in the client's best JSON type. */
  readonly incremental?: boolean;
  /** Writes one operation's answer, or a batch's. */
  write(res: ServerResponse, outcome: Outcome | Outcome[], status: number, headers?: Readonly<Record<string, string>>): void;
};

/** Writes an answer in the media type the client accepts; `acceptable` says beforehand whether there is one. */
export type AnswerWriter = {
  (res: ServerResponse, outcome: Outcome | Outcome[], status: number, headers?: Readonly<Record<string, string>>): void;
  /** Whether an Accept header allows any of the encoders: when not, the request is refused with 406 before it runs. */
  acceptable(accept: string | undefined): boolean;
  /** The media types it writes, in its order of preference. */
  readonly mediaTypes: readonly string[];
  /** Whether the encoder an Accept header chooses writes answers in parts: then `@defer` defers. */
  incremental(accept: string | undefined): boolean;
};

const CACHED_ACCEPT_HEADERS = 100;
const CACHED_ACCEPT_CHARACTERS = 256;

/**
 * Writes each answer with the encoder `negotiate` picks for the client's
 * Accept header, `encoders` being in order of preference and the last one
 * the default. An answer to a client that accepts none of them (the 406
 * itself, or a refusal made before Accept was checked) goes out in the
 * default, which every GraphQL client reads.
 */
export function createAnswerWriter(encoders: readonly [Encoder, ...Encoder[]]): AnswerWriter {
  const fallback = encoders[encoders.length - 1]!;
  // Clients send a handful of distinct headers: each is negotiated once, not twice per request.
  const chosen = new Map<string, Encoder | undefined>();
  const choose = (accept: string | undefined): Encoder | undefined => {
    if (accept === undefined || accept.length > CACHED_ACCEPT_CHARACTERS) return negotiate(accept, encoders);
    if (chosen.has(accept)) return chosen.get(accept);
    if (chosen.size >= CACHED_ACCEPT_HEADERS) chosen.clear();
    const encoder = negotiate(accept, encoders);
    chosen.set(accept, encoder);
    return encoder;
  };
  // For a client that reads parts, an answer that has none goes in the JSON type it accepts best.
  const whole = encoders.filter((encoder) => !encoder.incremental) as unknown as readonly [Encoder, ...Encoder[]];
  const wholeWriter = whole.length < encoders.length ? createAnswerWriter(whole) : undefined;
  const write = (res: ServerResponse, outcome: Outcome | Outcome[], status: number, headers?: Readonly<Record<string, string>>): void => {
    const encoder = choose(res.req.headers.accept) ?? fallback;
    if (encoder.incremental && (Array.isArray(outcome) || !outcome.subsequent)) return wholeWriter!(res, outcome, status, headers);
    // The answer depends on Accept: a cache must not serve one client's media type to another.
    // One Vary header: with what CORS (cors.ts) already said it depends on, Origin, when it did.
    const vary = res.getHeader('vary');
    encoder.write(res, outcome, status, { vary: vary === undefined ? 'Accept' : `${String(vary)}, Accept`, ...headers });
  };
  return Object.assign(write, {
    acceptable: (accept: string | undefined) => choose(accept) !== undefined,
    incremental: (accept: string | undefined) => choose(accept)?.incremental === true,
    mediaTypes: encoders.map((encoder) => encoder.contentType.split(';')[0]!),
  });
}
