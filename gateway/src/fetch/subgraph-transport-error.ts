import { GraphQLError } from 'graphql';
import { ErrorCode } from '#lib/errors.js';
import type { SubgraphFetchFailure } from './transport.js';

/**
 * A subgraph fetch that failed, as a transport or a wrapper throws it: the
 * DOWNSTREAM_SERVICE_ERROR the client gets (its message names the subgraph
 * and the kind of failure, nothing about where it runs), which also tells the
 * wrappers above how it failed without them knowing the transport. One object
 * per failure, as the GraphQLError alone was before the seam.
 */
export class SubgraphTransportError extends GraphQLError {
  readonly failure: Exclude<SubgraphFetchFailure, 'server-error'>;
  /** The subgraph's status, when it answered. */
  readonly status: number | undefined;
  /** Attempts made, retries included; 0 when the fetch was refused before it was sent. */
  readonly attempts: number;
  /** For the log only (addresses, network errors): what the transport saw. */
  readonly detail: string | undefined;
  /** For the log only: the start of an answer that was not a usable GraphQL response. */
  readonly bodyExcerpt: string | undefined;
  /** For the log only: the underlying error. */
  override readonly cause: unknown;

  constructor(
    subgraph: string,
    failure: Exclude<SubgraphFetchFailure, 'server-error'>,
    message: string,
    details: { status?: number | undefined; attempts: number; detail?: string; bodyExcerpt?: string | undefined; cause?: unknown },
  ) {
    super(message, { extensions: { code: ErrorCode.DOWNSTREAM_SERVICE_ERROR, serviceName: subgraph } });
    this.failure = failure;
    this.status = details.status;
    this.attempts = details.attempts;
    this.detail = details.detail;
    this.bodyExcerpt = details.bodyExcerpt;
    this.cause = details.cause;
  }
}
