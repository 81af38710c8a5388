import { sendError, type Handler } from '#lib/http.js';
import { probeRoutes, type Readiness } from '#lib/probes.js';
import type { Cors } from './cors.js';
import { IDE_ASSET_PREFIX, IDE_PAGE_HEADERS, ideAsset, prefersHtml, renderIdePage } from './ide.js';

/**
 * GraphQL at `path`, liveness at /health, readiness at /ready, metrics at
 * /metrics, and GraphiQL (page and assets) when enabled. `cors` (cors.ts)
 * sees every request to `path` first: it answers preflights there and then.
 */
export function routes(graphql: Handler, path: string, graphiql: boolean, readiness: Readiness, metrics: Handler | undefined, cors?: Cors): Record<string, Handler> {
  const idePage = renderIdePage({ endpoint: path, title: 'Junction GraphiQL' });
  const endpoint: Handler = (req, res) => {
    if (cors?.(req, res)) return;
    if (graphiql && req.method === 'GET' && prefersHtml(req.headers.accept)) {
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
      graphiql && isRead && url.startsWith(IDE_ASSET_PREFIX)
        ? ideAsset(url.split('?')[0] ?? url, {
            ...(req.headers['accept-encoding'] ? { acceptEncoding: req.headers['accept-encoding'] } : {}),
            ...(req.headers['if-none-match'] ? { ifNoneMatch: req.headers['if-none-match'] } : {}),
          })
        : null;
    if (!asset) return sendError(res, 404, 'NOT_FOUND', 'Not found.');
    res.writeHead(asset.status, asset.headers);
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  };
  return {
    [path]: endpoint,
    ...probeRoutes(readiness),
    // Prometheus text format (lib/metrics.ts); METRICS=false leaves it out.
    ...(metrics ? { '/metrics': metrics } : {}),
    '*': assets,
  };
}
