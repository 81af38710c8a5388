import type { IncomingMessage } from 'node:http';
import { BodyTimeout, BodyTooLarge, readBody } from '#lib/request-body.js';
import type { ReadOperations } from '#gateway/pipeline/graphql-endpoint.js';
import { refusal, type GraphQLRequest, type Refusal } from '#gateway/pipeline/stage.js';
import type { AnswerWriter } from './encoders/encoder.js';

export type { GraphQLRequest } from '#gateway/pipeline/stage.js';

/**
 * Turns an HTTP request into the GraphQL requests it carries, refusing
 * everything a GraphQL endpoint should not accept before any GraphQL work is
 * done: other methods, cross-site requests (CSRF), oversized, slow or
 * malformed bodies, batches when batching is off.
 */
export type HttpRefusal = {
  ok: false;
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
};

export type ReadRequest =
  | { ok: true; method: 'GET' | 'POST'; requests: GraphQLRequest[]; batched: boolean }
  | HttpRefusal;

export type ReadOptions = { maxBodyBytes: number; allowBatching: boolean; maxBatchSize: number; bodyTimeoutMs?: number };

const ALLOW = 'GET, POST';

/** Content types a browser may send cross-site without a preflight. */
const SIMPLE_CONTENT_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);

/** Headers a browser only sends after a CORS preflight, so their presence proves the page was allowed to. */
const PREFLIGHT_HEADERS = ['apollo-require-preflight', 'x-apollo-operation-name', 'graphql-preflight'];

function refuse(status: number, code: string, message: string, headers?: Record<string, string>): HttpRefusal {
  return { ok: false, status, code, message, ...(headers ? { headers } : {}) };
}

function mediaType(req: IncomingMessage): string | undefined {
  const header = req.headers['content-type'];
  return header?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/**
 * Apollo Server's CSRF rule: a request a browser could send from any page
 * without a preflight (a GET, or a POST with a "simple" content type) is only
 * executed when it carries a header such a page cannot set.
 */
function isCrossSiteCapable(req: IncomingMessage): boolean {
  const type = mediaType(req);
  if (type !== undefined && !SIMPLE_CONTENT_TYPES.has(type)) return false;
  return !PREFLIGHT_HEADERS.some((name) => {
    const value = req.headers[name];
    return typeof value === 'string' && value.length > 0;
  });
}

function parseJsonParam(value: string | null, name: string): { ok: true; value: unknown } | HttpRefusal {
  if (value === null || value === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch {
    return refuse(400, 'BAD_REQUEST', `The ${name} parameter is not valid JSON.`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks one request's fields are what GraphQL over HTTP says they are. */
function shape(value: unknown): { ok: true; request: GraphQLRequest } | HttpRefusal {
  if (!isObject(value)) return refuse(400, 'BAD_REQUEST', 'A GraphQL request must be a JSON object.');
  const { query, operationName, variables, extensions } = value;
  if (query !== undefined && typeof query !== 'string') {
    return refuse(400, 'BAD_REQUEST', 'The query must be a string.');
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return refuse(400, 'BAD_REQUEST', 'The operationName must be a string.');
  }
  if (variables !== undefined && variables !== null && !isObject(variables)) {
    return refuse(400, 'BAD_REQUEST', 'The variables must be a JSON object.');
  }
  if (extensions !== undefined && extensions !== null && !isObject(extensions)) {
    return refuse(400, 'BAD_REQUEST', 'The extensions must be a JSON object.');
  }
  if (query === undefined && !isObject(extensions?.persistedQuery)) {
    return refuse(400, 'BAD_REQUEST', 'A GraphQL request needs a query or a persisted query id.');
  }
  return {
    ok: true,
    request: {
      ...(query !== undefined ? { query } : {}),
      ...(operationName !== undefined ? { operationName } : {}),
      ...(variables !== undefined ? { variables } : {}),
      ...(extensions !== undefined ? { extensions } : {}),
    },
  };
}

export async function readGraphQLRequest(req: IncomingMessage, options: ReadOptions): Promise<ReadRequest> {
  const method = req.method;
  if (method !== 'GET' && method !== 'POST') {
    return refuse(405, 'METHOD_NOT_ALLOWED', `GraphQL is served over GET and POST, not ${method}.`, { allow: ALLOW });
  }
  if (isCrossSiteCapable(req)) {
    return refuse(
      400,
      'BAD_REQUEST',
      'This request could have been sent by any web page (CSRF), so it was not executed. ' +
        'Send it with "Content-Type: application/json", or with an "apollo-require-preflight" header.',
    );
  }

  if (method === 'GET') {
    const search = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
    const variables = parseJsonParam(search.get('variables'), 'variables');
    if (!variables.ok) return variables;
    const extensions = parseJsonParam(search.get('extensions'), 'extensions');
    if (!extensions.ok) return extensions;
    const checked = shape({
      query: search.get('query') ?? undefined,
      operationName: search.get('operationName') ?? undefined,
      variables: variables.value,
      extensions: extensions.value,
    });
    return checked.ok ? { ok: true, method, requests: [checked.request], batched: false } : checked;
  }

  const type = mediaType(req);
  if (type !== 'application/json' && type !== 'application/graphql-response+json') {
    return refuse(415, 'UNSUPPORTED_MEDIA_TYPE', 'POST a GraphQL request as application/json.');
  }
  let body: Buffer;
  try {
    body = await readBody(req, options.maxBodyBytes, options.bodyTimeoutMs);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      return refuse(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${options.maxBodyBytes} bytes.`);
    }
    if (error instanceof BodyTimeout) {
      return refuse(408, 'BODY_TIMEOUT', `The request body did not arrive within ${options.bodyTimeoutMs} ms.`);
    }
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return refuse(400, 'BAD_REQUEST', 'The request body is not valid JSON.');
  }
  if (!Array.isArray(parsed)) {
    const checked = shape(parsed);
    return checked.ok ? { ok: true, method, requests: [checked.request], batched: false } : checked;
  }
  if (!options.allowBatching) {
    return refuse(400, 'BATCHING_NOT_SUPPORTED', 'This gateway does not accept batched requests; send one at a time.');
  }
  if (parsed.length === 0 || parsed.length > options.maxBatchSize) {
    return refuse(400, 'BAD_REQUEST', `A batch must hold 1 to ${options.maxBatchSize} requests.`);
  }
  const requests: GraphQLRequest[] = [];
  for (const item of parsed) {
    const checked = shape(item);
    if (!checked.ok) return checked;
    requests.push(checked.request);
  }
  return { ok: true, method, requests, batched: true };
}

/** A refused body left unread on the socket: the connection closes after the answer rather than read the rest. */
const UNREAD_BODY = new Set([408, 413]);

/** readGraphQLRequest for the pipeline: a refusal in the stages' one shape; a body too large or too slow also closes the connection. */
export async function readOperations(req: IncomingMessage, options: ReadOptions, answers?: Pick<AnswerWriter, 'acceptable' | 'mediaTypes'>): Promise<ReadOperations | Refusal> {
  // Before the body is read: nothing runs for a client that could not read the answer.
  if (answers && !answers.acceptable(req.headers.accept)) {
    return refusal(406, 'NOT_ACCEPTABLE', `The Accept header allows none of the media types GraphQL is answered in here: ${answers.mediaTypes.join(', ')}.`);
  }
  const read = await readGraphQLRequest(req, options);
  if (read.ok) return read;
  const headers = { ...read.headers, ...(UNREAD_BODY.has(read.status) ? { connection: 'close' } : {}) };
  return refusal(read.status, read.code, read.message, { headers });
}
