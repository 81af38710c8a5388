import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchemaModule } from '@apollo/subgraph/dist/schema-helper/index.js';
import { parse, Source, type DocumentNode, type GraphQLSchema } from 'graphql';
import { databaseOptions, openDatabase, poolUse, type Database } from '#lib/db.js';
import { loadEnv, type Env } from '#lib/env.js';
import { closeServer, createRouter, listen, sendError, type Handler, type Listening } from '#lib/http.js';
import { GATEWAY_HEADER, GatewayTokenError, verifyGatewayToken, type Identity } from '#lib/identity.js';
import { createLogger, type Logger } from '#lib/logger.js';
import { createRegistry, createSubgraphMetrics, metricsHandler, registerPoolMetrics } from '#lib/metrics.js';
import { migrateSubgraph, type SubgraphName } from '#lib/migrate.js';
import { databaseAnswers, probeRoutes, Readiness } from '#lib/probes.js';
import { drainAndClose, shutdownTimeoutMs, stopOnSignals } from '#lib/shutdown.js';
import { startTelemetry } from '#lib/telemetry.js';
import { LRUCache } from 'lru-cache';
import { graphqlHandler } from './apollo-handler.js';
import { createErrorFormatter, errorLog } from './error-formatting.js';
import { serveSubscriptions } from './subscription-server.js';
import { viewerOf, type Viewer } from './viewer.js';

/** What every subgraph is built from. */
export type SubgraphDeps = { db: Database; env: Env; logger: Logger };

/** What a subgraph knows about a request: its id, and who the gateway says is calling. */
export type SubgraphRequest = { requestId: string; identity?: Identity | null };

/** What every subgraph's per-request context holds; each adds its loaders. */
export type RequestContext = {
  db: Database;
  /** The signed-in user, or null (anonymous, or a partner's API key). */
  viewer: () => Promise<Viewer | null>;
  requestId: string;
};

export function requestContext({ db }: SubgraphDeps, info: SubgraphRequest): RequestContext {
  const viewer = viewerOf(info.identity ?? null);
  return { db, viewer: async () => viewer, requestId: info.requestId };
}

/** A subgraph's resolver map, as buildSubgraphSchema takes it. */
type SubgraphResolvers = NonNullable<GraphQLSchemaModule['resolvers']>;

/** A subgraph, ready to serve or to test through `server.executeOperation`. */
export type Subgraph<TContext extends BaseContext> = {
  name: SubgraphName;
  server: ApolloServer<TContext>;
  context: (info: SubgraphRequest) => TContext;
};

const schemaDir = fileURLToPath(new URL('../../schema/', import.meta.url));

/** The subgraph's SDL, read from `schema/<name>.graphql`: the one source of truth. */
export function loadSubgraphSdl(name: SubgraphName): DocumentNode {
  const file = join(schemaDir, `${name}.graphql`);
  return parse(new Source(readFileSync(file, 'utf8'), `schema/${name}.graphql`));
}

export function createSubgraphServer<TContext extends BaseContext>(
  name: SubgraphName,
  resolvers: SubgraphResolvers,
  { env, logger }: Pick<SubgraphDeps, 'env' | 'logger'>,
): ApolloServer<TContext> {
  const schema = buildSubgraphSchema([{ typeDefs: loadSubgraphSdl(name), resolvers }]);
  const server = new ApolloServer<TContext>({
    schema,
    formatError: createErrorFormatter({ production: env.production }),
    // Junction stops its servers itself, in order; Apollo's own signal handler would race it.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: !env.production,
    plugins: [
      // Subgraphs answer the gateway, not browsers: no IDE page here.
      ApolloServerPluginLandingPageDisabled(),
      // Per-field traces are for Apollo's hosted studio, which Junction does not report to.
      ApolloServerPluginInlineTraceDisabled(),
      // What formatError masks, in the log with the request's id.
      errorLog(logger),
    ],
  });
  schemas.set(server, schema);
  return server;
}

/** Each subgraph server's schema, which its subscriptions run on too (Apollo Server does not give it back). */
const schemas = new WeakMap<object, GraphQLSchema>();

export type ServedSubgraph = Listening & {
  /** Answers /ready with 503 from now on (shutting down), while still serving. */
  drain(): void;
  /** Closes the server, cutting requests unfinished after `graceMs` if given, then stops the subgraph. */
  stop(graceMs?: number): Promise<void>;
};

/**
 * Serves a subgraph over HTTP: GraphQL at /graphql, liveness at /health, and
 * readiness at /ready (its database `db` answers, and it is not shutting down).
 * `bound` is a server already listening, for callers that must know every
 * subgraph's address before building any of them; otherwise one is made.
 */
export async function serveSubgraph<TContext extends BaseContext>(
  subgraph: Subgraph<TContext>,
  {
    port = 0,
    host,
    logger,
    bound,
    secret,
    db,
    metrics = true,
    production,
  }: {
    port?: number;
    host?: string;
    logger: Logger;
    bound?: Listening;
    secret: string;
    db?: Database;
    metrics?: boolean;
    /** Masks internal errors in subscription events, as formatError does on HTTP. */
    production: boolean;
  },
): Promise<ServedSubgraph> {
  // The subgraph's own registry (lib/metrics.ts): requests by outcome, its pool, the process.
  const registry = metrics ? createRegistry() : undefined;
  const measured = registry && createSubgraphMetrics(registry, subgraph.name);
  const pool = db && poolUse(db);
  if (registry && pool) registerPoolMetrics(registry, pool);
  if (measured) subgraph.server.addPlugin(measured.plugin());
  await subgraph.server.start();
  const identities = new WeakMap<IncomingMessage, Identity | null>();
  const graphql = graphqlHandler<TContext>({
    server: subgraph.server,
    context: (req: IncomingMessage, info) => {
      const context = subgraph.context({ requestId: info.requestId, identity: identities.get(req) ?? null });
      return measured ? measured.track(req, context) : context;
    },
  });
  const verify = gatewayTokenVerifier(secret);
  // Only the gateway may call a subgraph: every request carries the token it signs.
  const guarded: Handler = async (req, res) => {
    const header = req.headers[GATEWAY_HEADER];
    try {
      identities.set(req, await verify(typeof header === 'string' ? header : undefined));
    } catch (error) {
      if (!(error instanceof GatewayTokenError)) throw error;
      return sendError(res, 401, 'UNAUTHENTICATED', error.message);
    }
    return graphql(req, res);
  };
  const readiness = new Readiness(db ? databaseAnswers(db, logger) : undefined);
  const listening = bound ?? (await listen(createServer(), port, host));
  listening.server.on(
    'request',
    createRouter(
      {
        '/graphql': measured ? measured.instrument(guarded) : guarded,
        ...probeRoutes(readiness),
        ...(registry ? { '/metrics': metricsHandler(registry) } : {}),
      },
      (error) => logger.error({ err: error }, 'request failed'),
    ),
  );
  const schema = schemas.get(subgraph.server);
  const subscriptions =
    schema &&
    serveSubscriptions({
      server: listening.server,
      schema,
      context: (caller) => subgraph.context(caller),
      verify,
      production,
      logger,
    });
  let stopped: Promise<void> | undefined;
  return {
    ...listening,
    drain: () => readiness.shutDown(),
    stop: (graceMs) =>
      (stopped ??= (async () => {
        readiness.shutDown();
        // Open subscriptions end first: their sockets would otherwise keep the server from closing.
        await subscriptions?.close();
        await closeServer(listening.server, graceMs);
        await subgraph.server.stop();
      })()),
  };
}

/**
 * Verifies gateway tokens, remembering good ones until they expire: one
 * gateway request makes several fetches with the same token, and verifying
 * is the costly part.
 */
function gatewayTokenVerifier(secret: string): (token: string | undefined) => Promise<Identity | null> {
  const verified = new LRUCache<string, { identity: Identity | null }>({ max: 10_000, ttl: 10_000 });
  return async (token) => {
    const known = token === undefined ? undefined : verified.get(token);
    if (known) return known.identity;
    const identity = await verifyGatewayToken(token, secret);
    verified.set(token as string, { identity });
    return identity;
  };
}

/**
 * Boots one subgraph as its own process, as it is deployed: configuration from
 * the environment, its migrations applied, stopped cleanly on SIGINT/SIGTERM.
 */
export async function runSubgraph<TContext extends BaseContext>(
  name: SubgraphName,
  defaultPort: number,
  create: (deps: SubgraphDeps) => Subgraph<TContext>,
): Promise<void> {
  const env = loadEnv();
  const logger = createLogger(env, name);
  const telemetry = await startTelemetry(env, name);
  // Running on its own for long, it serves the embedded database to other commands when none does yet.
  const database = await openDatabase({ ...databaseOptions(env), embedded: 'serve' });
  const applied = await migrateSubgraph(database.db, name);
  if (applied > 0) logger.info({ applied }, 'migrations applied');
  const served = await serveSubgraph(create({ db: database.db, env, logger }), {
    port: env.PORT ?? defaultPort,
    ...(env.HOST ? { host: env.HOST } : {}),
    logger,
    secret: env.GATEWAY_SECRET,
    db: database.db,
    metrics: env.METRICS,
    production: env.production,
  });
  logger.info({ url: served.url, database: database.location }, `${name} subgraph ready`);

  // Not ready at once; in-flight requests finish (within SHUTDOWN_GRACE_MS); then the pool; then the last spans.
  stopOnSignals(
    async () => {
      await drainAndClose([{ drain: served.drain, close: served.stop }], env);
      await database.close();
      await telemetry.shutdown();
    },
    { logger, timeoutMs: shutdownTimeoutMs(env) },
  );
}
