import { Writable } from 'node:stream';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_HEADER, signGatewayToken } from '#lib/identity.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { codes, post, type GraphQLResult } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * In development a mistake of the caller's (a parse or validation error, bad
 * input, an unknown id, a missing scope or sign-in, a malformed request, a
 * rate limit) is answered and logged with its message and code, and never a
 * stack trace: not the gateway's, not a subgraph's, not one a subgraph passes
 * on. Only a bug keeps its stack, in development's answer and in the log.
 */

/** What gives a stack away: Apollo's `extensions.stacktrace`, pino's `err.stack`, a frame of one. */
const STACK = /stacktrace|"stack"|\bat \S+ \(|\.[cm]?[jt]s:\d+/;

function expectNoStack(answer: unknown): void {
  expect(JSON.stringify(answer)).not.toMatch(STACK);
}

/** Lines written to a stream, as a log collector keeps them. */
function logSink() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe("Junction's own stack in development", () => {
  const world = generateWorld({ users: 2, products: 2, reviews: 2 });
  const logs = logSink();
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack(
      world,
      // Development, with its default log level: the caller's mistakes are logged (at debug).
      { NODE_ENV: 'development', LOG_LEVEL: 'debug', RATE_LIMIT: 'true', RATE_LIMIT_BURST: '40', RATE_LIMIT_PER_SECOND: '1' },
      { logs: logs.stream },
    );
  });
  afterAll(() => stack?.close());

  it('answers the caller its mistakes through the gateway with message and code, and no stack', async () => {
    const signedIn = await stack.signIn(1);
    const writer = await stack.signIn(1, ['write:products']);
    const cases: [string, () => Promise<GraphQLResult>, string][] = [
      ['a parse error', () => stack.query('{ products {'), 'GRAPHQL_PARSE_FAILED'],
      ['a validation error', () => stack.query('{ nope }'), 'GRAPHQL_VALIDATION_FAILED'],
      ['a bad variable', () => stack.query('query ($n: Int) { topProducts(first: $n) { upc } }', { n: 'x' }), 'BAD_USER_INPUT'],
      ["a subgraph's BAD_USER_INPUT", () => stack.query('{ products(first: 1000) { edges { node { upc } } } }'), 'BAD_USER_INPUT'],
      ["a subgraph's NOT_FOUND", () => stack.query('mutation { updateProduct(upc: "0", input: { name: "x" }) { upc } }', {}, writer), 'NOT_FOUND'],
      ['a missing scope', () => stack.query('{ users(first: 1) { email } }', {}, signedIn), 'FORBIDDEN'],
      ['a missing sign-in', () => stack.query('mutation { createReview(input: { upc: "0", rating: 5, body: "Hi." }) { id } }'), 'UNAUTHENTICATED'],
      ['a bad token', () => stack.query('{ __typename }', {}, { authorization: 'Bearer not-a-token' }), 'UNAUTHENTICATED'],
      ['a body that is not JSON', () => postText(stack.gatewayUrl, '{"query":'), 'BAD_REQUEST'],
    ];
    for (const [name, send, code] of cases) {
      const answer = await send();
      expect(codes(answer), name).toContain(code);
      expect(answer.errors![0]!.message, name).not.toBe('Internal server error');
      expectNoStack(answer);
    }
  });

  it("answers the caller its mistakes with no stack when it calls a subgraph directly", async () => {
    const subgraph = stack.subgraphs.products!.url;
    const fromGateway = { [GATEWAY_HEADER]: await signGatewayToken(null, stack.env.GATEWAY_SECRET) };
    const cases: [string, () => Promise<GraphQLResult>, string][] = [
      ['a parse error', () => post(subgraph, '{ products {', {}, fromGateway), 'GRAPHQL_PARSE_FAILED'],
      ['a validation error', () => post(subgraph, '{ nope }', {}, fromGateway), 'GRAPHQL_VALIDATION_FAILED'],
      ['BAD_USER_INPUT', () => post(subgraph, '{ products(after: "zzz") { edges { node { upc } } } }', {}, fromGateway), 'BAD_USER_INPUT'],
      ['no operation', () => postText(subgraph, '{}', fromGateway), 'BAD_REQUEST'],
      ['a body that is not JSON', () => postText(subgraph, '{"query":', fromGateway), 'BAD_REQUEST'],
      ['no gateway token', () => post(subgraph, '{ __typename }'), 'UNAUTHENTICATED'],
    ];
    for (const [name, send, code] of cases) {
      const answer = await send();
      expect(codes(answer), name).toEqual([code]);
      expectNoStack(answer);
    }
  });

  it('answers a rate limit with no stack', async () => {
    let answer: GraphQLResult | undefined;
    for (let sent = 0; sent < 200 && answer?.status !== 429; sent++) answer = await stack.query('{ __typename }');
    expect(answer!.status).toBe(429);
    expect(codes(answer!)).toEqual(['RATE_LIMITED']);
    expectNoStack(answer);
  });

  it('logs them, at debug, without a stack', () => {
    const lines = logs.text().trim().split('\n');
    // The gateway's and the subgraphs' lines about the mistakes above were written: the check below reads them.
    expect(lines.some((line) => line.includes('"msg":"request errors"') && line.includes('NOT_FOUND'))).toBe(true);
    expect(lines.some((line) => line.includes('"msg":"request errors"') && line.includes('"BAD_USER_INPUT"'))).toBe(true);
    expect(lines.filter((line) => STACK.test(line))).toEqual([]);
  });
});

describe('a development gateway over a subgraph that sends stacks (stock Apollo Server outside production)', () => {
  let subgraph: { server: ApolloServer; url: string };
  let gateway: GatewayProcess;

  beforeAll(async () => {
    const typeDefs = parse(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Query { search(term: String!): [String!]! crash: String }
    `);
    const server = new ApolloServer({
      plugins: [ApolloServerPluginInlineTraceDisabled()],
      schema: buildSubgraphSchema({
        typeDefs,
        resolvers: {
          Query: {
            search: (_: unknown, { term }: { term: string }) => {
              if (term.length < 3) throw new GraphQLError('term must be 3 characters or more.', { extensions: { code: 'BAD_USER_INPUT' } });
              return [term];
            },
            crash: () => {
              throw new TypeError('Cannot read properties of undefined (reading "shelf")');
            },
          },
        },
      }),
      includeStacktraceInErrorResponses: true,
    });
    const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
    subgraph = { server, url };
    const composed = composeServices([{ name: 'search', url, typeDefs }]);
    if (composed.errors) throw composed.errors[0];
    gateway = await startGatewayProcess(composed.supergraphSdl, { NODE_ENV: 'development', LOG_LEVEL: 'debug', RATE_LIMIT: 'false' });
  });
  afterAll(async () => {
    await gateway?.stop();
    await subgraph?.server.stop();
  });

  function logged(requestId: string): string[] {
    return gateway.running
      .output()
      .split('\n')
      .filter((line) => line.includes(requestId));
  }

  it("drops the stack of the subgraph's BAD_USER_INPUT, from the answer and from the log", async () => {
    // The subgraph does send one: the gateway is what takes it out.
    const direct = await post(subgraph.url, '{ search(term: "a") }');
    expect(direct.errors![0]!.extensions).toHaveProperty('stacktrace');

    const answer = await post(gateway.url, '{ search(term: "a") }');
    expect(answer.errors).toEqual([
      {
        message: 'term must be 3 characters or more.',
        path: ['search'],
        extensions: { code: 'BAD_USER_INPUT', serviceName: 'search', requestId: answer.headers.get('x-request-id') },
      },
    ]);
    const requestId = answer.headers.get('x-request-id')!;
    await expect.poll(() => logged(requestId).some((line) => line.includes('"msg":"request completed"'))).toBe(true);
    expect(logged(requestId).some((line) => line.includes('"msg":"request errors"'))).toBe(true);
    expect(logged(requestId).filter((line) => STACK.test(line))).toEqual([]);
  });

  it("keeps a bug's stack in development, in the answer and in the log", async () => {
    const answer = await post(gateway.url, '{ crash }');
    const [error] = answer.errors!;
    expect(error!.extensions!.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error!.extensions!.stacktrace).toEqual(expect.arrayContaining([expect.stringMatching(/^TypeError: Cannot read/)]));
    const requestId = answer.headers.get('x-request-id')!;
    await expect.poll(() => logged(requestId).some((line) => line.includes('"msg":"request errors"'))).toBe(true);
    expect(logged(requestId).find((line) => line.includes('"msg":"request errors"'))).toMatch(/"level":50.*stacktrace/);
  });
});

/** A POST whose body is `text` as it is (which post() would encode). */
async function postText(url: string, text: string, headers: Record<string, string> = {}): Promise<GraphQLResult> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
  return { status: response.status, headers: response.headers, ...((await response.json()) as object) };
}
