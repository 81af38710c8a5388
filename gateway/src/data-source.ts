import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';

/** What the gateway keeps of each incoming request, for the fetches it makes. */
export type GatewayContext = { requestId: string; authorization?: string };

/**
 * Fetches from one subgraph, passing on what the subgraph needs to know about
 * the caller: the Authorization header and the request id that ties the
 * subgraph's logs to the gateway's.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Only fetches made for a client's operation carry a client; health checks do not.
    if (!('incomingRequestContext' in options)) return;
    const headers = options.request.http?.headers;
    if (!headers) return;
    headers.set('x-request-id', options.context.requestId);
    if (options.context.authorization) headers.set('authorization', options.context.authorization);
  }
}
