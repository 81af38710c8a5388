import type { Server } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { createHttpServer, graphqlHandler, sendError, sendJson, type Handler } from '#lib/http.js';
import type { Logger } from '#lib/logger.js';
import { SubgraphDataSource, type GatewayContext } from './data-source.js';
import { createGatewayErrorFormatter } from './errors.js';
import { IDE_ASSET_PREFIX, IDE_PAGE_HEADERS, ideAsset, prefersHtml, renderIdePage } from './ide.js';

export type GatewayOptions = {
  /** A composed Federation 2 supergraph, e.g. the contents of supergraph.graphql. */
  supergraphSdl: string;
  logger: Logger;
  /** Production hides stack traces and internal error details. */
  production: boolean;
  /** Whether the schema can be introspected; on by default outside production. */
  introspection?: boolean;
  /** Path GraphQL is served at. */
  path?: string;
};

export type Gateway = {
  /** The HTTP server, not yet listening. */
  server: Server;
  /** Stops the gateway: call after the HTTP server has closed. */
  stop(): Promise<void>;
};

/**
 * The gateway over any Federation 2 supergraph: Apollo's query planner and
 * executor behind Junction's HTTP layer. Resolves once the supergraph is
 * loaded, so a listening gateway is a ready one.
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { logger, production } = options;
  const path = options.path ?? '/graphql';
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => {
      if (!url) throw new Error(`The supergraph gives subgraph "${name}" no routing URL.`);
      return new SubgraphDataSource({ name, url, logger, production });
    },
    logger,
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: options.introspection ?? !production,
    includeStacktraceInErrorResponses: !production,
    formatError: createGatewayErrorFormatter({ production, logger }),
    // Junction stops its servers itself, in order; Apollo's own signal handler would race it.
    stopOnTerminationSignals: false,
    // Junction serves its own IDE page below, from npm packages rather than a CDN.
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();
  let ready = true;

  const graphql = graphqlHandler<GatewayContext>({ server: apollo, context: (_req, info) => info });
  const idePage = renderIdePage({ endpoint: path, title: 'Junction GraphiQL' });
  const endpoint: Handler = (req, res) => {
    if (req.method === 'GET' && prefersHtml(req.headers.accept)) {
      res.writeHead(200, IDE_PAGE_HEADERS);
      res.end(idePage);
      return;
    }
    return graphql(req, res);
  };
  const assets: Handler = (req, res) => {
    const url = req.url ?? '/';
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    const asset =
      isRead && url.startsWith(IDE_ASSET_PREFIX)
        ? ideAsset(url.split('?')[0] ?? url, {
            ...(req.headers['accept-encoding'] ? { acceptEncoding: req.headers['accept-encoding'] } : {}),
            ...(req.headers['if-none-match'] ? { ifNoneMatch: req.headers['if-none-match'] } : {}),
          })
        : null;
    if (!asset) return sendError(res, 404, 'NOT_FOUND', 'Not found.');
    res.writeHead(asset.status, asset.headers);
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  };

  const server = createHttpServer(
    {
      [path]: endpoint,
      '/health': (_req, res) => sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'stopping' }),
      '*': assets,
    },
    (error) => logger.error({ err: error }, 'request failed'),
  );

  return {
    server,
    async stop() {
      ready = false;
      await apollo.stop();
    },
  };
}
