import type { ErrorCode } from '#lib/errors.js';
import type { DocsSettings } from './docs-settings.js';

/**
 * Every code the gateway answers with in `extensions.code`, what it means and
 * what the caller can do about it, for the Getting started pages. The type
 * makes every code of lib/errors.ts's ErrorCode required here;
 * test/governance/schema-docs-error-codes.test.ts finds the others in the
 * gateway's source (its stages' refusals, the executor's codes) and fails when
 * one is missing, or when one listed here is answered nowhere.
 */
export type ErrorCodeDoc = {
  /** The HTTP status it comes with (an operation that ran answers 200, with the error beside its data). */
  status: string;
  meaning: string;
  action: string;
};

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

type Entries = Record<ErrorCode, ErrorCodeDoc> & Record<string, ErrorCodeDoc>;

/** The codes in the order a caller meets them: the request, who is calling, the operation, its answer. */
export function errorCodes(settings: DocsSettings): Entries {
  const { limits } = settings;
  return {
    BAD_REQUEST: {
      status: '400',
      meaning:
        'The request is malformed: its body is not a JSON object, `query` is not a string or `variables` not an object, it has no document, ' +
        'or it is a GET (or a `text/plain` or form POST) without the `apollo-require-preflight` header, which protects you from cross-site requests.',
      action: 'POST a JSON body `{ "query", "variables", "operationName" }` with `content-type: application/json`; the message names what is wrong.',
    },
    UNSUPPORTED_MEDIA_TYPE: { status: '415', meaning: 'The POST body is not sent as JSON.', action: 'Send `content-type: application/json`.' },
    NOT_ACCEPTABLE: {
      status: '406',
      meaning: 'The `Accept` header allows no answer type; or a subscription was sent over HTTP without a streaming one.',
      action:
        'Accept `application/json` or `application/graphql-response+json`, or send no `Accept` header. For a subscription, use graphql-ws over WebSocket, ' +
        'or accept `text/event-stream` (SSE) or `multipart/mixed;subscriptionSpec="1.0"`.',
    },
    METHOD_NOT_ALLOWED: { status: '405', meaning: 'The method is neither GET nor POST, or a mutation was sent with GET.', action: 'Use POST.' },
    PAYLOAD_TOO_LARGE: {
      status: '413',
      meaning: `The request body is larger than ${megabytes(limits.maxBodyBytes)}.`,
      action: 'Send less: pass values as variables, and split large writes into several requests.',
    },
    BODY_TIMEOUT: { status: '408', meaning: 'The request body did not arrive in time.', action: 'Retry; check the connection, or send a smaller body.' },
    CORS_ORIGIN_NOT_ALLOWED: {
      status: '403',
      meaning: 'A browser asked (in a CORS preflight) whether a page on another origin may call the API, and that origin is not allowed.',
      action: 'Call the API from a server, or ask for your page’s origin to be allowed.',
    },
    REQUEST_HEADER_TOO_LARGE: {
      status: '431',
      meaning: 'A header the API passes on to its services is longer than 1 KB.',
      action: 'Send that header shorter (it is one this API forwards, such as a language or tenant header).',
    },
    BATCHING_NOT_SUPPORTED: { status: '400', meaning: 'The body is an array of operations, and batches are off.', action: 'Send one operation per request.' },
    NOT_FOUND: {
      status: '404, or 200 with a field error',
      meaning: 'Nothing is served at that path; or, beside the data, what an argument names does not exist (a UPC the catalogue does not have).',
      action: 'Check the endpoint, or the id or key you asked for.',
    },
    UNAUTHENTICATED: {
      status: '401, or 200 with a field error',
      meaning:
        'Your API key or token is not valid (unknown, revoked, expired, or not for this API): the request is refused with `WWW-Authenticate`. ' +
        'Beside the data: a field needs a signed-in caller, and you sent no credentials; the field is `null`, the rest of the answer is intact.',
      action: 'Check the `x-api-key` header (or get a new token); send credentials for fields that need them.',
    },
    FORBIDDEN: {
      status: '403 (introspection), or 200 with a field error',
      meaning: 'Your key or token lacks a scope a field (or introspection) needs; the field is `null`, the rest of the answer is intact.',
      action: 'Ask for a key with the scope the field’s description names.',
    },
    RATE_LIMITED: {
      status: '429',
      meaning: 'Too many requests from your key (or, without one, your address).',
      action: 'Wait the seconds the `Retry-After` header gives, then go on more slowly; spread requests out, or ask for a higher limit on your key.',
    },
    GRAPHQL_PARSE_FAILED: {
      status: '400',
      meaning: `The document is not valid GraphQL syntax, or has more than ${limits.maxTokens.toLocaleString('en-US')} tokens.`,
      action: 'Fix the syntax at the location the error gives.',
    },
    GRAPHQL_VALIDATION_FAILED: {
      status: '400',
      meaning:
        'The document does not validate against the schema you are served (a field outside your contract is unknown to it), ' +
        'or it is over a limit: depth, aliases, root fields, directives or selections (`extensions.limit` and `max` name it).',
      action: 'Check each field against this reference; stay within the limits below.',
    },
    OPERATION_RESOLUTION_FAILURE: {
      status: '400',
      meaning: 'The document has several operations and `operationName` names none of them, or names none that is there.',
      action: 'Send `operationName`.',
    },
    BAD_USER_INPUT: {
      status: '400 for variables, or 200 with a field error',
      meaning: 'A variable has the wrong type; or an argument’s value is refused (`extensions.field` names the input at fault).',
      action: 'Fix the value the message names; the field descriptions give the accepted ranges.',
    },
    COST_ESTIMATED_TOO_EXPENSIVE: {
      status: '400',
      meaning: 'The operation’s estimated cost is over your limit (`extensions.cost` has `estimated` and `max`). The estimate counts about one per object the answer may hold.',
      action: 'Ask for fewer items (a smaller `first`), nest fewer lists, or split the operation; send `x-junction-cost: estimated` to see an operation’s cost.',
    },
    COST_INVALID_SLICING_ARGUMENTS: {
      status: '400',
      meaning: 'A list field needs exactly one of its slicing arguments (`first`) to be priced.',
      action: 'Pass `first` on the list field the message names.',
    },
    PERSISTED_QUERY_NOT_FOUND: {
      status: '200',
      meaning: 'An automatic persisted query’s hash is not known yet.',
      action: 'Send the request again with the query text and its hash (Apollo Client does this by itself).',
    },
    PERSISTED_QUERY_NOT_SUPPORTED: { status: '200', meaning: 'Automatic persisted queries are off.', action: 'Send the query text.' },
    PERSISTED_QUERY_HASH_MISMATCH: {
      status: '400',
      meaning: 'The query text does not match `extensions.persistedQuery.sha256Hash`.',
      action: 'Send the SHA-256 of the exact text, in lower-case hex.',
    },
    PERSISTED_QUERY_NOT_IN_LIST: {
      status: '400',
      meaning: 'Only registered operations run for your client, and this is not one of them.',
      action: 'Use one of the registered operations below, or ask for yours to be registered.',
    },
    PERSISTED_QUERY_ID_REQUIRED: {
      status: '400',
      meaning: 'Registered operations run for your client by id only.',
      action: 'Send `extensions: { "persistedQuery": { "version": 1, "sha256Hash": "<id>" } }` with the id listed below, without the text.',
    },
    PERSISTED_QUERY_UNKNOWN_ID: {
      status: '400',
      meaning: 'The id is not one of your client’s registered operations.',
      action: 'Check the id against the operations below.',
    },
    QUERY_PLANNING_TIMEOUT: { status: '400', meaning: 'The operation takes too long to plan.', action: 'Make it smaller, or split it.' },
    QUERY_PLAN_CONFLICT: {
      status: '400',
      meaning: 'The API cannot answer this operation exactly as written (a conflict between its fields across services).',
      action: 'Rename the conflicting fields with aliases or split the operation; tell us, with the request id.',
    },
    QUERY_PLAN_INVALID: {
      status: '200 with a field error',
      meaning: 'The API could not answer a field exactly, so it is `null` rather than wrong.',
      action: 'Tell us, with the request id; the rest of the answer is valid.',
    },
    QUERY_PLAN_EMPTY: {
      status: '200 with a field error',
      meaning: 'The API could not answer a root field exactly, so it is `null` rather than wrong.',
      action: 'Tell us, with the request id; the rest of the answer is valid.',
    },
    INVALID_GRAPHQL: {
      status: '200 with a field error (500 when planning failed)',
      meaning: 'A value could not be completed as the schema says (a `null` in a non-null field, an `Int` out of range); it is `null` with this error at its path.',
      action: 'Tell us, with the request id; the rest of the answer is valid.',
    },
    DOWNSTREAM_SERVICE_ERROR: {
      status: '200 with partial data (503 when the identity provider is unreachable)',
      meaning: 'A service behind the API failed, timed out or is unavailable (`extensions.serviceName` names it); what it would have answered is `null`.',
      action: 'Retry a query later, with backoff. Before retrying a mutation, check whether it took effect.',
    },
    SUBSCRIPTION_NEEDS_STREAMING: {
      status: '400',
      meaning: 'A subscription was sent for a single answer (a plain JSON POST or GET): its events need a streaming protocol.',
      action: 'Subscribe over graphql-ws (WebSocket), GraphQL over SSE, or multipart HTTP (`Accept: multipart/mixed;subscriptionSpec="1.0"`).',
    },
    NOT_A_SUBSCRIPTION: {
      status: '400',
      meaning: 'A query or mutation was sent where only a subscription is streamed.',
      action: 'Send queries and mutations as ordinary requests, or subscribe to a `subscription` operation.',
    },
    SUBSCRIPTION_SOURCE_FAILED: {
      status: 'the last event of a subscription',
      meaning: 'The service a subscription comes from (`extensions.serviceName`) ended it with an error, refused it, or could not be reached; the subscription is complete.',
      action: 'Subscribe again, with backoff; events in between are not replayed.',
    },
    RESPONSE_TOO_LARGE: {
      status: '200, with `data: null`',
      meaning: `The answer would hold more than ${limits.maxResponseBytes === 0 ? 'the API sends at once' : megabytes(limits.maxResponseBytes)}; none of it is sent.`,
      action: 'Ask for less at once: smaller pages (`first`), fewer nested lists, fewer fields.',
    },
    SUBSCRIPTION_LIMIT_REACHED: {
      status: '429 over HTTP; an `error` message over graphql-ws',
      meaning: 'You have as many subscriptions open as you may: per client, or per WebSocket connection.',
      action: 'Complete a subscription you no longer need before starting another, or share one between the parts of your app.',
    },
    SUBSCRIPTION_CONSUMER_TOO_SLOW: {
      status: 'a last event (SSE, multipart); WebSocket close code 4008',
      meaning: 'Your client read a subscription’s events slower than they came, and too many waited: the subscription was closed.',
      action: 'Read events as they come (do slow work elsewhere), then subscribe again.',
    },
    SUBSCRIPTION_JWT_EXPIRED: {
      status: 'a last event (SSE, multipart); over graphql-ws the connection closes 4403',
      meaning: 'The token your subscription was opened with has expired (its `exp`), so the subscription ended there.',
      action: 'Subscribe again with a new token. graphql-ws clients reconnect by themselves: give `connectionParams` as a function that returns a fresh token.',
    },
    SHUTTING_DOWN: {
      status: 'a last multipart part; WebSocket close code 1001',
      meaning: 'The instance serving your subscription is shutting down.',
      action: 'Subscribe again: another instance serves you. graphql-ws and graphql-sse clients reconnect by themselves.',
    },
    DATABASE_UNAVAILABLE: {
      status: '200 with a field error (503 when checking a key)',
      meaning: 'A database behind the API is unavailable for a moment.',
      action: 'Retry later, with backoff.',
    },
    DATABASE_TIMEOUT: { status: '200 with a field error', meaning: 'A database query took too long.', action: 'Ask for less, or retry later.' },
    SUBSCRIPTION_BEHIND: {
      status: 'the last event of a subscription',
      meaning: 'The subscription fell too far behind the events it was sent (over a thousand unsent) and was ended.',
      action: 'Subscribe again, and read events as they come.',
    },
    INTERNAL_SERVER_ERROR: {
      status: '500, or 200 with a field error',
      meaning: 'Something went wrong on our side; the message says no more.',
      action: 'Retry later; if it persists, tell us, with the request id.',
    },
  };
}
