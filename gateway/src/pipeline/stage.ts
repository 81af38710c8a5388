import type { IncomingMessage } from 'node:http';
import type { DocumentNode, GraphQLError, GraphQLFormattedError, OperationDefinitionNode } from 'graphql';
import type { Identity } from '#lib/identity.js';
import type { ClientHeaders } from '#gateway/fetch/transport.js';
import type { ServedSupergraph } from '#gateway/supergraph/served-supergraphs.js';

/**
 * The stage seam: one policy (who is calling, rate limits, persisted
 * documents, limits, introspection, authorization...) is one stage, and the
 * gateway runs an ordered list of them (server.ts, the composition root).
 * A stage continues (returns nothing) or refuses (returns a Refusal); the
 * pipeline (graphql-endpoint.ts) turns a refusal into the HTTP answer and
 * knows no stage by name, as Apollo Router's plugins checkpoint one layer and
 * envelop's plugins hook one phase. docs/ARCHITECTURE.md shows how to add one.
 */
export type Stage = {
  /** For logs, traces and the architecture test; unique in the list. */
  readonly name: string;
  /** Before the body is read (cheap refusals): who is calling, whether they may call now. */
  onRequest?(request: RequestState): Refusal | undefined | Promise<Refusal | undefined>;
  /** For each operation of the request (each of a batch), in list order, before it runs. */
  onOperation?(operation: OperationState): Refusal | undefined | Promise<Refusal | undefined>;
  /**
   * After the operation ran, for a stage that must shape the answer
   * (authorization puts null and an error where it took a field out). Return
   * a new answer, or nothing to leave it as it is: then `answer.data` is never
   * parsed, and the executor's JSON text goes out as it was written.
   */
  onAnswer?(operation: OperationState, answer: Answer): Answer | undefined;
};

/**
 * A stage's "no", the only shape a stage refuses in: the status, the errors
 * (each gets the request id), the answer's data when a refusal still answers
 * some (authorization refusing every root field answers nulls), and headers.
 */
export type Refusal = {
  status: number;
  errors: readonly GraphQLFormattedError[];
  data?: unknown;
  headers?: Readonly<Record<string, string>>;
};

/** One GraphQL request as the client sent it (a batch holds several). */
export type GraphQLRequest = {
  query?: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
};

/** What stages learn about one HTTP request, for the stages after them. */
export type RequestState = {
  readonly req: IncomingMessage;
  readonly requestId: string;
  /** Who is calling: set by the stage that verifies credentials; null (anonymous) until one does. */
  identity: Identity | null;
  /** The client's headers forwarded to the subgraphs' fetches: set by the stage that reads them (propagate-headers). */
  clientHeaders?: ClientHeaders | undefined;
};

/** What stages learn about one operation, and what the pipeline runs once they all let it through. */
export type OperationState = {
  readonly request: RequestState;
  readonly method: 'GET' | 'POST';
  /** The request as sent. */
  readonly sent: GraphQLRequest;
  /** The supergraph (or contract) served to this caller, read once per request. */
  readonly served: ServedSupergraph;
  /** The document's text: what was sent, or what a persisted-document stage found for its id. */
  query: string | undefined;
  /** The parsed document and the operation to run in it: set by the stage that parses (limits). */
  document?: DocumentNode;
  operation?: OperationDefinitionNode;
  /** Whether the operation selects `__schema` or `__type` anywhere: set with `document`. */
  introspection?: boolean;
  /** Progressive override labels this request activates (execution/override-labels.ts). */
  overrideLabels?: ReadonlySet<string> | undefined;
};

/** An operation's answer as clients will see it; `data` is parsed from the executor's JSON text when first read. */
export type Answer = {
  readonly data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
  /** Added to the answer's `extensions` (cost's `{ cost: { estimated } }`); a later stage's answer without them keeps them. */
  readonly extensions?: Readonly<Record<string, unknown>>;
  /**
   * An answer delivered in parts (`@defer`): `'initial'` for the first, which
   * holds none of the deferred fragments; or a deferred fragment's path and
   * label, `data` being the object at that path. Absent for a plain answer.
   */
  readonly part?: AnswerPart;
};

/** Which part of an answer delivered in parts an Answer is (see `Answer.part`). */
export type AnswerPart = 'initial' | { readonly path: readonly (string | number)[]; readonly label?: string };

/** A refusal with one error, coded. */
export function refusal(
  status: number,
  code: string,
  message: string,
  options: { headers?: Readonly<Record<string, string>>; extensions?: Record<string, unknown> } = {},
): Refusal {
  return {
    status,
    errors: [{ message, extensions: { code, ...options.extensions } }],
    ...(options.headers ? { headers: options.headers } : {}),
  };
}

/** A refusal with graphql-js errors: their message, locations and extensions (`http` is for Apollo Server, not clients). */
export function refusalOf(status: number, errors: readonly GraphQLError[], headers?: Readonly<Record<string, string>>): Refusal {
  return {
    status,
    errors: errors.map((error) => {
      const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
      return { message: error.message, ...(error.locations ? { locations: error.locations } : {}), extensions };
    }),
    ...(headers ? { headers } : {}),
  };
}
