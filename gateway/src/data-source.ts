import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '#lib/errors.js';
import type { Logger } from '#lib/logger.js';

/** What the gateway keeps of each incoming request, for the fetches it makes. */
export type GatewayContext = { requestId: string; authorization?: string };

/**
 * Fetches from one subgraph, passing on what the subgraph needs to know about
 * the caller: the Authorization header and the request id that ties the
 * subgraph's logs to the gateway's.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly subgraph: string;
  private readonly logger: Logger;
  private readonly production: boolean;

  constructor(options: { name: string; url: string; logger: Logger; production: boolean }) {
    super({ url: options.url });
    this.subgraph = options.name;
    this.logger = options.logger;
    this.production = options.production;
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Only fetches made for a client's operation carry a client; health checks do not.
    if (!('incomingRequestContext' in options)) return;
    const headers = options.request.http?.headers;
    if (!headers) return;
    headers.set('x-request-id', options.context.requestId);
    if (options.context.authorization) headers.set('authorization', options.context.authorization);
  }

  /**
   * A subgraph that cannot be reached, or answers with something other than a
   * GraphQL response, becomes DOWNSTREAM_SERVICE_ERROR naming the subgraph. Its
   * address and the network error go to the log, not to the client.
   */
  override didEncounterError(error: Error, _request: unknown, _response: unknown, context?: GatewayContext): never {
    const code = error instanceof GraphQLError ? error.extensions.code : undefined;
    if (code === ErrorCode.UNAUTHENTICATED || code === ErrorCode.FORBIDDEN) throw error;
    this.logger.error(
      { err: error, subgraph: this.subgraph, url: this.url, requestId: context?.requestId },
      'subgraph fetch failed',
    );
    const reason = this.production ? '' : `: ${error.message}`;
    throw new GraphQLError(`The ${this.subgraph} subgraph is unavailable${reason}.`, {
      extensions: { code: ErrorCode.DOWNSTREAM_SERVICE_ERROR, serviceName: this.subgraph },
    });
  }
}
