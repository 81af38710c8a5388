import type { Encoder } from '#gateway/http/encoders/encoder.js';
import { applicationJson, textOf } from '#gateway/http/encoders/json.js';
import { streamEvents, type StreamFormat, type StreamSettings } from './stream-events.js';

/**
 * GraphQL over Server-Sent Events, the graphql-sse protocol's "distinct
 * connections" mode: each operation is a POST (or GET) with
 * `Accept: text/event-stream`, answered with `next` events and a `complete`.
 * Queries and mutations sent this way get one `next`; a subscription one per
 * event. Shutdown ends the stream without `complete`, which graphql-sse's
 * client takes as a dropped connection and retries.
 */
const sse: StreamFormat = {
  protocol: 'sse',
  headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'content-encoding': 'none' },
  // An empty comment: some browsers wait for a first message before they report the stream open.
  opening: ':\n\n',
  event: (outcome) => `event: next\ndata: ${textOf(outcome)}\n\n`,
  heartbeat: () => ':\n\n',
  fatal: (error) => `event: next\ndata: ${JSON.stringify({ errors: [error] })}\n\nevent: complete\ndata:\n\n`,
  completion: () => 'event: complete\ndata:\n\n',
  goingAway: () => '',
};

/**
 * Apollo's multipart HTTP subscriptions (what Apollo Client uses over HTTP):
 * each event a part `{"payload":{...}}`, `{}` heartbeats, and a transport
 * error as `{"payload":null,"errors":[...]}` before the closing delimiter, in
 * the bytes Apollo Router writes: each chunk ends with the next part's
 * delimiter, so a client reads a part as soon as it arrives.
 */
const part = (json: string, first: boolean, last = false) =>
  `${first ? '\r\n--graphql' : ''}\r\ncontent-type: application/json\r\n\r\n${json}\r\n--graphql${last ? '--\r\n' : ''}`;
const multipart: StreamFormat = {
  protocol: 'multipart',
  headers: { 'content-type': 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"', 'cache-control': 'no-cache' },
  opening: '',
  event: (outcome, first) => part(`{"payload":${textOf(outcome)}}`, first),
  heartbeat: (first) => part('{}', first),
  fatal: (error, first) => part(JSON.stringify({ payload: null, errors: [error] }), first, true),
  completion: (first) => part('{}', first, true),
  goingAway: (error, first) => part(JSON.stringify({ payload: null, errors: [error] }), first, true),
};

/** The encoders that stream a subscription's events over HTTP, for the composition root's list (encoder.ts). */
export function eventStreamEncoders(settings: StreamSettings): [Encoder, Encoder] {
  return [
    {
      contentType: 'text/event-stream; charset=utf-8',
      streams: true,
      write(res, outcome, status, headers) {
        if (Array.isArray(outcome)) return applicationJson.write(res, outcome, status, headers);
        if (outcome.events) return streamEvents(res, { ...outcome, events: outcome.events }, status, headers, sse, settings);
        // One answer as one event. GraphQL errors go in the stream, as graphql-sse's own server sends them;
        // a refusal of the request itself (401, 413, 429...) keeps its status.
        res.writeHead(status === 400 ? 200 : status, { ...headers, ...sse.headers });
        res.end(`${sse.event(outcome, true)}${sse.completion(false)}`);
      },
    },
    {
      contentType: 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"',
      streams: true,
      requiresParameter: 'subscriptionspec',
      write(res, outcome, status, headers) {
        if (Array.isArray(outcome) || !outcome.events) return applicationJson.write(res, outcome, status, headers);
        streamEvents(res, { ...outcome, events: outcome.events }, status, headers, multipart, settings);
      },
    },
  ];
}

