import { SpanKind } from '@opentelemetry/api';
import { downstreamError } from '#lib/errors.js';
import { anonymousGatewayToken, GATEWAY_HEADER } from '#lib/identity.js';
import type { Logger } from '#lib/logger.js';
import { errorType, injectTraceHeaders, markFailed, startChildSpan } from '#lib/telemetry.js';

/**
 * Asks the subgraph that owns an entity about it, through the federation
 * `_entities` field every subgraph serves. Used where a write must check an
 * entity another subgraph owns (a review's product, a restocked product):
 * subgraphs never read each other's tables.
 */
export type EntityClient = {
  /** The entity's `selection` fields, or null when the owner does not know it. */
  fetch<T extends Record<string, unknown>>(
    representation: { __typename: string } & Record<string, unknown>,
    selection: string,
    request?: { requestId?: string },
  ): Promise<T | null>;
};

export function createEntityClient(options: {
  /** The owning subgraph's name, for errors and logs. */
  name: string;
  url: string;
  logger: Logger;
  /** GATEWAY_SECRET: subgraphs only answer requests signed with it. */
  secret: string;
  timeoutMs?: number;
}): EntityClient {
  const timeoutMs = options.timeoutMs ?? 5000;
  const gatewayToken = anonymousGatewayToken(options.secret);
  return {
    async fetch<T extends Record<string, unknown>>(
      representation: { __typename: string } & Record<string, unknown>,
      selection: string,
      request: { requestId?: string } = {},
    ): Promise<T | null> {
      const query = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${representation.__typename} { ${selection} } } }`;
      let payload: { data?: { _entities?: (T | null)[] } | null; errors?: unknown[] };
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        [GATEWAY_HEADER]: await gatewayToken(),
        ...(request.requestId ? { 'x-request-id': request.requestId } : {}),
      };
      // The owner's work belongs to the trace of the write that asked (lib/telemetry.ts).
      const span = startChildSpan(`subgraph ${options.name}`, { 'subgraph.name': options.name }, SpanKind.CLIENT);
      if (span) injectTraceHeaders(span, headers);
      try {
        const response = await fetch(options.url, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query, variables: { representations: [representation] } }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        payload = (await response.json()) as typeof payload;
      } catch (error) {
        if (span) markFailed(span, errorType(error));
        options.logger.error({ err: error, subgraph: options.name, url: options.url }, 'entity lookup failed');
        throw downstreamError(`The ${options.name} service did not answer; nothing was changed. Try again.`);
      } finally {
        span?.end();
      }
      if (payload.errors?.length || !payload.data?._entities) {
        options.logger.error({ errors: payload.errors, subgraph: options.name }, 'entity lookup returned errors');
        throw downstreamError(`The ${options.name} service could not answer; nothing was changed. Try again.`);
      }
      return payload.data._entities[0] ?? null;
    },
  };
}
