import type { IncomingMessage } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { BodyTooLarge, readBody } from '#lib/request-body.js';
import { requestInfoOf, sendError, type Handler, type RequestInfo } from '#lib/http.js';

/*
 * The subgraphs' node:http binding for Apollo Server, on lib/http.ts's plain
 * helpers. Kept out of lib/http.ts, which the gateway loads: the gateway runs
 * no Apollo Server.
 */

export type GraphQLHandlerOptions<TContext extends BaseContext> = {
  server: ApolloServer<TContext>;
  context: (req: IncomingMessage, info: RequestInfo) => Promise<TContext> | TContext;
  /** Largest request body accepted; larger ones get 413 before any parsing. */
  maxBodyBytes?: number;
};

/** Serves GraphQL over GET and POST through Apollo Server's HTTP API. */
export function graphqlHandler<TContext extends BaseContext>(
  options: GraphQLHandlerOptions<TContext>,
): Handler {
  const maxBodyBytes = options.maxBodyBytes ?? 2 * 1024 * 1024;
  return async (req, res) => {
    const info = requestInfoOf(req);
    res.setHeader('x-request-id', info.requestId);

    let body: unknown = undefined;
    if (req.method === 'POST') {
      let text: string;
      try {
        text = (await readBody(req, maxBodyBytes)).toString('utf8');
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          res.setHeader('connection', 'close');
          return sendError(res, 413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${maxBodyBytes} bytes.`);
        }
        throw error;
      }
      const contentType = req.headers['content-type'] ?? '';
      if (/^application\/(graphql-response\+)?json\b/i.test(contentType) && text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch {
          return sendError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON.');
        }
      } else {
        body = text;
      }
    }

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');

    const response = await options.server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: req.method ?? 'GET',
        headers,
        search: queryStart === -1 ? '' : url.slice(queryStart),
        body,
      },
      context: async () => options.context(req, info),
    });

    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
