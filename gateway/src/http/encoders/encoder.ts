import type { ServerResponse } from 'node:http';
import type { Outcome } from '#gateway/pipeline/outcome.js';
import { negotiate, parseAccept, weightOf } from './negotiate.js';

/**
 * Answers encoded by media type, as Yoga's result processors pick one for
 * what the client accepts: JSON and GraphQL over HTTP's
 * application/graphql-response+json today; multipart (@defer, subscriptions)
 * and server-sent events plug in as further encoders.
 */
export type Encoder = {
  /** The Content-Type it writes, which the client's Accept header is negotiated against (negotiate.ts). */
  readonly contentType: string;
  /** Whether it writes a subscription's events (Outcome.events) as they come: SSE and multipart do, JSON does not. */
  readonly streams?: true;
  /**
   * A parameter (lower case) the client's Accept range must name for this
   * encoder to stream to it: Apollo's multipart subscriptions are for clients
   * that ask for `subscriptionSpec`, not for every `multipart/mixed`.
   */
  readonly requiresParameter?: string;
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
  /** Whether an Accept header names an encoder that writes a subscription's events as they come (SSE, multipart). */
  streams(accept: string | undefined): boolean;
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
  // Encoders that stream (SSE, multipart) answer only a client that names them: never a wildcard's default.
  const plain = encoders.filter((encoder) => !encoder.streams);
  const streaming = encoders.filter((encoder) => encoder.streams);
  // A subscription's events go to an encoder that streams them, one the client named, whatever it prefers for answers.
  const chooseStream = cached((accept) => {
    if (streaming.length === 0 || accept === undefined) return undefined;
    const named = new Set(parseAccept(accept).flatMap((range) => range.parameters.map(([name]) => name)));
    const candidates = streaming.filter((encoder) => !encoder.requiresParameter || named.has(encoder.requiresParameter));
    return candidates.length > 0 ? negotiate(accept, candidates, { namedOnly: true }) : undefined;
  });
  // Clients send a handful of distinct headers: each is negotiated once, not twice per request.
  const choose = cached((accept) => {
    const answer = negotiate(accept, plain);
    const stream = chooseStream(accept);
    if (!stream || !answer) return stream ?? answer;
    // Both acceptable: the client's higher weight decides, and a tie is a plain answer.
    const ranges = parseAccept(accept ?? '');
    return weightOf(ranges, stream.contentType) > weightOf(ranges, answer.contentType) ? stream : answer;
  });
  // For a client that reads parts, an answer that has none goes in the JSON type it accepts best.
  const whole = encoders.filter((encoder) => !encoder.incremental) as unknown as readonly [Encoder, ...Encoder[]];
  const wholeWriter = whole.length < encoders.length ? createAnswerWriter(whole) : undefined;
  const write = (res: ServerResponse, outcome: Outcome | Outcome[], status: number, headers?: Readonly<Record<string, string>>): void => {
    const accept = res.req.headers.accept;
    const encoder = (!Array.isArray(outcome) && outcome.events ? chooseStream(accept) : undefined) ?? choose(accept) ?? fallback;
    if (encoder.incremental && (Array.isArray(outcome) || !outcome.subsequent)) return wholeWriter!(res, outcome, status, headers);
    // The answer depends on Accept: a cache must not serve one client's media type to another.
    // One Vary header: with what CORS (cors.ts) already said it depends on, Origin, when it did.
    const vary = res.getHeader('vary');
    encoder.write(res, outcome, status, { vary: vary === undefined ? 'Accept' : `${String(vary)}, Accept`, ...headers });
  };
  return Object.assign(write, {
    acceptable: (accept: string | undefined) => choose(accept) !== undefined,
    streams: (accept: string | undefined) => chooseStream(accept) !== undefined,
    incremental: (accept: string | undefined) => choose(accept)?.incremental === true,
    mediaTypes: [...new Set(encoders.map((encoder) => encoder.contentType.split(';')[0]!))],
  });
}

/** `negotiate` for each distinct Accept header once (up to CACHED_ACCEPT_HEADERS of them); long ones each time. */
function cached(choose: (accept: string | undefined) => Encoder | undefined): (accept: string | undefined) => Encoder | undefined {
  const chosen = new Map<string, Encoder | undefined>();
  return (accept) => {
    if (accept === undefined || accept.length > CACHED_ACCEPT_CHARACTERS) return choose(accept);
    if (chosen.has(accept)) return chosen.get(accept);
    if (chosen.size >= CACHED_ACCEPT_HEADERS) chosen.clear();
    const encoder = choose(accept);
    chosen.set(accept, encoder);
    return encoder;
  };
}
