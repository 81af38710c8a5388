import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GraphQLFormattedError } from 'graphql';
import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL, handleProtocols, MessageType, parseMessage, stringifyMessage, type SubscribePayload } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { GatewaySettings } from '#lib/env.js';
import type { Identity } from '#lib/identity.js';
import type { Logger } from '#lib/logger.js';
import { markFailed, serveInSpan, tracing } from '#lib/telemetry.js';
import { atExpiry, CREDENTIAL_EXPIRED_CLOSE_REASON } from '#gateway/pipeline/credential-expiry.js';
import { queueEvents, SLOW_CONSUMER_GRACE_MS } from '#gateway/pipeline/event-queue.js';
import type { OperationRunner } from '#gateway/pipeline/operation-runner.js';
import type { Outcome, OutcomeRecorder } from '#gateway/pipeline/outcome.js';
import type { RequestState } from '#gateway/pipeline/stage.js';
import type { SubscriptionMetrics } from '#gateway/pipeline/subscription-metrics.js';
import type { ServedSupergraph } from '#gateway/supergraph/served-supergraphs.js';
import { textOf } from '#gateway/http/encoders/json.js';
import { connectionRequest } from './connection-request.js';
import type { OpenSubscriptions } from './open-subscriptions.js';

/**
 * GraphQL over WebSocket on the GraphQL path, the `graphql-transport-ws`
 * protocol of the graphql-ws library (its message parsing and close codes;
 * the serving loop is Junction's, so an event's JSON text from the executor
 * goes out as it is, and so the limits below hold):
 * - the upgrade's Origin must be allowed (cors.ts's webSocketOrigins);
 * - the caller is identified once, at `connection_init`, from its payload
 *   (`Authorization`, `x-api-key`, or the same under `headers`) or else the
 *   upgrade's headers, by the stages' onRequest hooks; a refusal closes 4403,
 *   and so does the token's expiry (credential-expiry.ts);
 * - each `subscribe` runs the stages' onOperation hooks and the executor as
 *   an HTTP request does (operation-runner.ts); each event goes through the
 *   onAnswer hooks (authorization) before it is sent;
 * - SUBSCRIPTIONS_PER_CONNECTION, SUBSCRIPTION_QUEUE_SIZE (a consumer that
 *   falls behind is closed 4008), MAX_BODY_BYTES per message (1009),
 *   WS_INIT_TIMEOUT_MS (4408), WS_KEEPALIVE_MS pings;
 * - shutdown closes every connection 1001 "Going away": clients reconnect.
 */
export type GraphQLWsOptions = {
  path: string;
  runner: OperationRunner;
  served(identity: Identity | null): ServedSupergraph;
  settings: GatewaySettings['subscriptions'];
  /** REQUEST_TIMEOUT_MS: the deadline of a query or mutation sent over the socket. */
  requestTimeoutMs: number;
  allowedOrigin(req: IncomingMessage): boolean;
  open: OpenSubscriptions;
  record: OutcomeRecorder;
  logger: Logger;
  metrics?: SubscriptionMetrics | undefined;
};

/** Closes a connection whose subscription had more events waiting than SUBSCRIPTION_QUEUE_SIZE. */
export const SLOW_CONSUMER_CLOSE_CODE = 4008;

export type GraphQLWsServer = {
  /** Takes over an HTTP upgrade to the GraphQL path; answers any other with 404. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  readonly connections: number;
};

export function createGraphQLWsServer(options: GraphQLWsOptions): GraphQLWsServer {
  const { settings, logger } = options;
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: settings.maxMessageBytes,
    handleProtocols: (protocols) => handleProtocols(protocols),
    // Browsers and graphql-ws's clients do not compress; it would cost CPU and memory per connection.
    perMessageDeflate: false,
  });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== options.path) return refuseUpgrade(socket, 404, 'Not Found');
    if (!options.allowedOrigin(req)) {
      logger.info({ origin: req.headers.origin?.slice(0, 300) }, 'WebSocket refused: origin not allowed');
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    if (options.open.goingAway) return refuseUpgrade(socket, 503, 'Service Unavailable');
    sockets.handleUpgrade(req, socket, head, (ws) => serve(ws, req));
  }

  function serve(ws: WebSocket, req: IncomingMessage): void {
    const closedConnection = options.metrics?.connection();
    const connectionId = randomUUID();
    const operations = new Map<string, AsyncIterator<Outcome> | null>();
    let state: RequestState | undefined;
    let initialised = false;
    let expiring: (() => void) | undefined;
    const close = (code: number, reason: string) => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    };
    const send = (text: string) =>
      new Promise<void>((resolve) => {
        if (ws.readyState !== ws.OPEN) return resolve();
        // Resolves once the socket took it: the next event waits for the client's pace.
        ws.send(text, () => resolve());
      });
    const forget = options.open.add(() => close(1001, 'Going away'));

    if (ws.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
    const initTimer = setTimeout(() => {
      if (!initialised) close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
    }, settings.initTimeoutMs);

    let alive = true;
    const pinger =
      settings.keepAliveMs > 0
        ? setInterval(() => {
            // No pong since the last ping: the peer is gone, or too slow to matter.
            if (!alive) return ws.terminate();
            alive = false;
            ws.ping();
          }, settings.keepAliveMs)
        : undefined;
    ws.on('pong', () => (alive = true));

    ws.on('message', (data, isBinary) => {
      let message: ReturnType<typeof parseMessage>;
      try {
        message = parseMessage(isBinary ? data : String(data));
      } catch {
        return close(CloseCode.BadRequest, 'Invalid message received');
      }
      switch (message.type) {
        case MessageType.ConnectionInit: {
          if (initialised) return close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
          initialised = true;
          clearTimeout(initTimer);
          const request: RequestState = { req: connectionRequest(req, message.payload), requestId: connectionId, identity: null };
          void options.runner.connect(request).then(
            (refused) => {
              if (refused) return close(CloseCode.Forbidden, closeReason(refused.errors[0]?.message ?? 'Forbidden'));
              state = request;
              // Past the token's expiry the connection would not be let in: it closes, and the client connects again with a new one.
              expiring = atExpiry(request.identity?.expiresAt, () => close(CloseCode.Forbidden, CREDENTIAL_EXPIRED_CLOSE_REASON));
              void send(stringifyMessage({ type: MessageType.ConnectionAck }));
            },
            (error: unknown) => {
              logger.error({ err: error, requestId: connectionId }, 'WebSocket connection_init failed');
              close(CloseCode.InternalServerError, 'Internal server error');
            },
          );
          return;
        }
        case MessageType.Ping:
          return void send(stringifyMessage(message.payload ? { type: MessageType.Pong, payload: message.payload } : { type: MessageType.Pong }));
        case MessageType.Pong:
          return;
        case MessageType.Subscribe: {
          if (!state) return close(CloseCode.Unauthorized, 'Unauthorized');
          if (operations.has(message.id)) return close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${message.id} already exists`);
          if (operations.size >= settings.perConnection) {
            const text = `This connection has ${settings.perConnection} operations open, as many as it may: complete one first.`;
            return void sendErrors(message.id, [{ message: text, extensions: { code: 'SUBSCRIPTION_LIMIT_REACHED' } }]);
          }
          operations.set(message.id, null);
          return void start(message.id, message.payload, state);
        }
        case MessageType.Complete: {
          const running = operations.get(message.id);
          operations.delete(message.id);
          void running?.return?.();
          return;
        }
        default:
          return close(CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
      }
    });

    /** One subscribe message: the stages, the executor, then its answer or its events until one side completes. */
    async function start(id: string, payload: SubscribePayload, connection: RequestState): Promise<void> {
      const started = performance.now();
      const request: RequestState = { ...connection, requestId: randomUUID() };
      const answer = async (): Promise<Outcome> => {
        let outcome: Outcome;
        try {
          const deadline = AbortSignal.timeout(options.requestTimeoutMs);
          outcome = await options.runner.run(request, options.served(request.identity), payload, 'POST', { deadline, budget: undefined }, true);
        } catch (error) {
          logger.error({ err: error, requestId: request.requestId }, 'request failed');
          outcome = { status: 500, body: { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: request.requestId } }] } };
        }
        // In the span, when tracing: the log line carries its trace id, and the span its operation.
        options.record(req, request.requestId, outcome, started);
        return outcome;
      };
      // With tracing, each subscribe message is a SERVER span as an HTTP request is, continuing the upgrade's
      // traceparent; its events' spans ('subscription event') are its children.
      const outcome = tracing() ? await inServerSpan(req, answer) : await answer();
      // Completed by the client meanwhile: nothing is sent, and a started subscription ends.
      if (!operations.has(id)) return void outcome.events?.return?.();
      if (!outcome.events) {
        operations.delete(id);
        // An operation that did not run (refused, invalid) is an `error` message; one that ran is its answer and `complete`.
        if (outcome.status !== 200) return sendErrors(id, outcome.body.errors ?? []);
        await send(`{"id":${JSON.stringify(id)},"type":"next","payload":${textOf(outcome)}}`);
        return send(stringifyMessage({ id, type: MessageType.Complete }));
      }
      const events = queueEvents(outcome.events, {
        size: settings.queueSize,
        onOverflow: () => {
          close(SLOW_CONSUMER_CLOSE_CODE, 'Slow consumer: events waited past SUBSCRIPTION_QUEUE_SIZE');
          // A client that never reads again would not answer the close either (ws waits 30 s for it): cut it sooner.
          const cut = setTimeout(() => ws.terminate(), SLOW_CONSUMER_GRACE_MS);
          cut.unref();
          ws.once('close', () => clearTimeout(cut));
        },
      });
      operations.set(id, events);
      const closed = options.metrics?.opened(outcome.operation, 'graphql-ws');
      try {
        for (;;) {
          const next = await events.next();
          if (next.done || !operations.has(id)) break;
          await send(`{"id":${JSON.stringify(id)},"type":"next","payload":${textOf(next.value)}}`);
          options.metrics?.delivered(outcome.operation, 'graphql-ws', next.value.receivedAt === undefined ? undefined : (performance.now() - next.value.receivedAt) / 1000);
        }
        if (operations.delete(id)) await send(stringifyMessage({ id, type: MessageType.Complete }));
      } catch (error) {
        logger.error({ err: error, requestId: request.requestId }, 'subscription failed');
        if (operations.delete(id)) await sendErrors(id, [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: request.requestId } }]);
      } finally {
        closed?.();
      }
    }

    function sendErrors(id: string, errors: readonly GraphQLFormattedError[]): Promise<void> {
      return send(`{"id":${JSON.stringify(id)},"type":"error","payload":${JSON.stringify(errors)}}`);
    }

    ws.once('close', () => {
      clearTimeout(initTimer);
      expiring?.();
      if (pinger) clearInterval(pinger);
      forget();
      closedConnection?.();
      for (const running of operations.values()) void running?.return?.();
      operations.clear();
    });
    ws.on('error', (error) => logger.debug({ err: error, requestId: connectionId }, 'WebSocket error'));
  }

  return {
    upgrade,
    get connections() {
      return sockets.clients.size;
    },
  };
}

function inServerSpan(req: IncomingMessage, work: () => Promise<Outcome>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    serveInSpan(req.headers, 'graphql-ws subscribe', { 'network.protocol.name': 'websocket' }, (span) => {
      work().then(
        (outcome) => {
          span.end();
          resolve(outcome);
        },
        (error: unknown) => {
          markFailed(span, 'error');
          span.end();
          reject(error);
        },
      );
    });
  });
}

/** A close frame's reason holds at most 123 bytes. */
function closeReason(message: string): string {
  const bytes = Buffer.from(message);
  return bytes.length <= 123 ? message : `${bytes.subarray(0, 120).toString().replace(/\uFFFD*$/, '')}...`;
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

