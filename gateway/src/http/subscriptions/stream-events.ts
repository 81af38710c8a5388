import type { ServerResponse } from 'node:http';
import type { GraphQLFormattedError } from 'graphql';
import { atExpiry, CREDENTIAL_EXPIRED } from '#gateway/pipeline/credential-expiry.js';
import { queueEvents, SLOW_CONSUMER_GRACE_MS } from '#gateway/pipeline/event-queue.js';
import type { Outcome } from '#gateway/pipeline/outcome.js';
import type { SubscriptionMetrics, SubscriptionProtocol } from '#gateway/pipeline/subscription-metrics.js';
import { GOING_AWAY_MESSAGE, type OpenSubscriptions } from './open-subscriptions.js';

/** How one HTTP streaming protocol writes a subscription's events (sse.ts, multipart-subscriptions.ts). */
export type StreamFormat = {
  readonly protocol: SubscriptionProtocol;
  readonly headers: Readonly<Record<string, string>>;
  /** Written at once, before any event: the response starts, and proxies see it alive. */
  readonly opening: string;
  event(outcome: Outcome, first: boolean): string;
  /** What keeps an idle stream open through proxies and client timeouts. */
  heartbeat(first: boolean): string;
  /** A last error that ends the subscription (a client too slow for it). */
  fatal(error: GraphQLFormattedError, first: boolean): string;
  /** The end of a subscription that completed. */
  completion(first: boolean): string;
  /** The end written when the gateway shuts down, so that the client reconnects elsewhere. */
  goingAway(error: GraphQLFormattedError, first: boolean): string;
};

export type StreamSettings = {
  /** SUBSCRIPTION_QUEUE_SIZE: events that may wait for the client. */
  queueSize: number;
  /** SUBSCRIPTION_HEARTBEAT_MS. */
  heartbeatMs: number;
  open: OpenSubscriptions;
  metrics?: SubscriptionMetrics | undefined;
};

/**
 * Writes a subscription's events to an HTTP response as they come, each
 * waiting for the socket to take the one before (the client's pace), at most
 * `queueSize` of them waiting. The response ends when the subscription does,
 * when the client goes, when it reads too slowly or its token expires (a last
 * coded error), or at shutdown; the subscription at the subgraph ends with it.
 */
export function streamEvents(
  res: ServerResponse,
  outcome: Outcome & { events: AsyncIterableIterator<Outcome> },
  status: number,
  headers: Readonly<Record<string, string>> | undefined,
  format: StreamFormat,
  settings: StreamSettings,
): void {
  let first = true;
  let ended = false;
  let last: string | undefined;
  const events = queueEvents(outcome.events, {
    size: settings.queueSize,
    onOverflow: () => {
      const message = `This client read events slower than they came: more than ${settings.queueSize} waited, and the subscription is closed.`;
      // Ended now, not once the client reads again, which it may never do: it has the grace to read the last word.
      end(format.fatal({ message, extensions: { code: 'SUBSCRIPTION_CONSUMER_TOO_SLOW' } }, first));
      const cut = setTimeout(() => res.destroy(), SLOW_CONSUMER_GRACE_MS);
      cut.unref();
      res.once('close', () => clearTimeout(cut));
    },
  });
  const closed = settings.metrics?.opened(outcome.operation, format.protocol);
  const forget = settings.open.add(() => {
    last = format.goingAway({ message: GOING_AWAY_MESSAGE, extensions: { code: 'SHUTTING_DOWN' } }, first);
    void events.return?.();
  });
  // The caller's token expired: its last word says so, and the client may subscribe again with a new one.
  const expiring = atExpiry(outcome.expiresAt, () => {
    last ??= format.fatal(CREDENTIAL_EXPIRED, first);
    void events.return?.();
  });
  res.writeHead(status, { ...headers, ...format.headers });
  if (format.opening) res.write(format.opening);
  res.flushHeaders();

  const heartbeat = setInterval(() => {
    if (ended || res.writableLength > 0) return;
    res.write(format.heartbeat(first));
    first = false;
  }, settings.heartbeatMs);
  heartbeat.unref();

  const end = (text: string) => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    forget();
    expiring();
    closed?.();
    if (!res.destroyed) res.end(text);
  };
  // The client went away: the subscription ends at the subgraph too.
  res.once('close', () => {
    if (!ended) {
      end('');
      void events.return?.();
    }
  });

  void (async () => {
    try {
      for (;;) {
        const next = await events.next();
        if (next.done || ended) break;
        const text = format.event(next.value, first);
        first = false;
        settings.metrics?.delivered(outcome.operation, format.protocol, secondsSince(next.value.receivedAt));
        if (!res.write(text)) await drained(res);
      }
    } catch {
      last ??= format.fatal({ message: 'The subscription failed.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, first);
    }
    end(last ?? format.completion(first));
  })();
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function secondsSince(at: number | undefined): number | undefined {
  return at === undefined ? undefined : (performance.now() - at) / 1000;
}
