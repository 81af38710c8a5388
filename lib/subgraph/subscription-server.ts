import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  validate,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { Context as ConnectionContext } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { databaseError, ErrorCode } from '#lib/errors.js';
import { GATEWAY_HEADER, GatewayTokenError, type Identity } from '#lib/identity.js';
import type { Logger } from '#lib/logger.js';
import { createErrorFormatter } from './error-formatting.js';

/**
 * A subgraph's subscriptions over WebSocket (graphql-ws's `graphql-transport-ws`
 * protocol), on the same port and path as its HTTP endpoint: what the gateway
 * subscribes to. Only the gateway may connect: its signed token, in the upgrade
 * request's `x-junction-gateway` header or in connection_init's payload under
 * the same name, is verified as on HTTP; without a valid one the connection is
 * closed with 4403. Each event is resolved with a context of its own, so with
 * fresh loaders, as each HTTP request is; errors are masked as on HTTP.
 */
export type SubscriptionServer = {
  /** Completes every subscription (close code 1001, "Going away") and stops accepting connections. */
  close(): Promise<void>;
};

/** What a subscription's events are resolved for: who the gateway says is calling, and an id for the log. */
type Caller = { requestId: string; identity: Identity | null };

/** Largest message accepted: a subscription document with its variables is a few KB. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** How long clients get to answer the closing handshake before their sockets are cut. */
const CLOSE_GRACE_MS = 1_000;

export function serveSubscriptions<TContext>({
  server,
  schema,
  context,
  verify,
  production,
  logger,
}: {
  server: Server;
  schema: GraphQLSchema;
  context: (caller: Caller) => TContext;
  verify: (token: string | undefined) => Promise<Identity | null>;
  production: boolean;
  logger: Logger;
}): SubscriptionServer {
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: MAX_MESSAGE_BYTES });
  const identities = new WeakMap<ConnectionContext, Identity | null>();
  const formatError = createErrorFormatter({ production });
  const format = (errors: readonly GraphQLError[], requestId?: string): GraphQLFormattedError[] =>
    errors.map((error) => {
      const original = unwrapResolverError(error);
      if (!(original instanceof GraphQLError)) {
        logger.error({ err: original, path: error.path, requestId }, databaseError(original) ? 'database fault' : 'unexpected error');
      }
      return formatError(error.toJSON(), error);
    });

  const disposable = useServer<Record<string, unknown>>(
    {
      schema,
      isProd: production,
      async onConnect(ctx) {
        const header = ctx.extra.request.headers[GATEWAY_HEADER];
        const param = ctx.connectionParams?.[GATEWAY_HEADER];
        const token = typeof header === 'string' ? header : typeof param === 'string' ? param : undefined;
        try {
          identities.set(ctx, await verify(token));
          return true;
        } catch (error) {
          if (!(error instanceof GatewayTokenError)) throw error;
          return false; // closed with 4403 Forbidden
        }
      },
      onSubscribe(ctx, _id, payload) {
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error as GraphQLError];
        }
        const invalid = validate(schema, document);
        if (invalid.length > 0) return invalid;
        const operation = getOperationAST(document, payload.operationName);
        if (operation?.operation !== 'subscription') {
          return [
            new GraphQLError('Only subscriptions are served over WebSocket; send queries and mutations over HTTP.', {
              extensions: { code: ErrorCode.BAD_REQUEST },
            }),
          ];
        }
        const caller: Caller = { requestId: randomUUID(), identity: identities.get(ctx) ?? null };
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: caller,
        } satisfies ExecutionArgs;
      },
      subscribe: (args) => subscribePerEvent(args, context),
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors) return result;
        return { ...result, errors: format(result.errors, (args.contextValue as Caller).requestId) };
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    wss,
  );

  return {
    async close() {
      // Cut whoever has not answered "Going away" in time: a stop must not wait on a peer.
      const cut = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, CLOSE_GRACE_MS);
      try {
        await disposable.dispose();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}

/**
 * graphql-js's subscribe, except that each event is executed with a context
 * of its own: one event, one set of loaders.
 */
async function subscribePerEvent<TContext>(
  args: ExecutionArgs,
  context: (caller: Caller) => TContext,
): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>> {
  const caller = args.contextValue as Caller;
  const source = await createSourceEventStream({ ...args, contextValue: context(caller) });
  if (!(Symbol.asyncIterator in source)) return source;
  const events = source[Symbol.asyncIterator]();
  let ended = false;
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      if (ended) return { value: undefined, done: true };
      let event: IteratorResult<unknown>;
      try {
        event = await events.next();
      } catch (error) {
        // The source ended in error (a subscriber fallen behind): one last event says why.
        ended = true;
        const failure = error instanceof GraphQLError ? error : new GraphQLError('The event source failed.', { originalError: error as Error });
        return { value: { errors: [failure] }, done: false };
      }
      if (event.done) return { value: undefined, done: true };
      return { value: await execute({ ...args, rootValue: event.value, contextValue: context(caller) }), done: false };
    },
    async return() {
      await events.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}
