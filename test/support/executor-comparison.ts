import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { parse } from 'graphql';
import { pino } from 'pino';
import { expect } from 'vitest';
import { GATEWAY_HEADER } from '#lib/identity.js';
import { composeSupergraph } from '#tooling/supergraph.js';
import { supergraphForGateway } from '#gateway/stages/authorization/authorization-policy.js';
import { createSubgraphDataSource, type SubgraphDataSource } from '#gateway/fetch/data-source.js';
import { formatted } from '#gateway/pipeline/error-masking.js';
import { createExecutor, type ExecutionRequest, type Executor } from '#gateway/execution/executor.js';
import { shop, startShop, type Shop, type SubgraphRequest } from '../fixtures/shop-subgraphs.js';
import { firstDifference } from './compare-answers.js';

/**
 * Junction's executor against stock @apollo/gateway (in Apollo Server, with
 * its own RemoteGraphQLDataSource), both in front of the same real subgraphs.
 *
 * `startGateways` puts the two in front of any supergraph: the differential
 * conformance suite (test/conformance/) uses it for every shape. The rest of
 * this file is the shop comparison test/gateway/executor/*.test.ts use: the
 * shop's three subgraphs (test/fixtures/shop-subgraphs.ts), started by a
 * test file's beforeAll (startComparison) and stopped by its afterAll
 * (stopComparison); viaJunction, viaApollo and expectSame run operations
 * through the one that file started.
 */

/** An error as compared: message, path, locations, and of the extensions only `code` and `serviceName`. */
export type ErrorShape = {
  message: string;
  path?: readonly (string | number)[];
  locations?: unknown;
  extensions: { code?: unknown; serviceName?: unknown };
};

export type GatewayAnswer = {
  status: number;
  /** `data` as JSON text: compared as text, so the order of keys counts. */
  data: string | undefined;
  errors: ErrorShape[];
  /** Stock's nulls in non-null positions when nothing else failed (see compare-answers.ts). */
  valueCompletion: unknown;
  /** Every extension of the answer, as sent. */
  extensions: Record<string, unknown> | undefined;
};

export type Operation = {
  query: string;
  variables?: Record<string, unknown> | undefined;
  operationName?: string | undefined;
  /**
   * Custom `@override` labels active for this request (progressive override,
   * issue 12 item 5). Stock plans every label inactive and cannot be told
   * otherwise; Junction is told through its request's `overrideLabels`.
   */
  overrideLabels?: readonly string[] | undefined;
};

/** One gateway in front of a supergraph: an operation in, an answer out. */
export type Gateway = {
  via(operation: Operation): Promise<GatewayAnswer>;
  stop(): Promise<void>;
};

export type Gateways = {
  junction: Executor;
  viaJunction(operation: Operation): Promise<GatewayAnswer>;
  viaStock(operation: Operation): Promise<GatewayAnswer>;
  stop(): Promise<void>;
};

export type GatewayOptions = {
  supergraphSdl: string;
  /** A token both gateways send every subgraph (header x-junction-gateway): Junction's own subgraphs want one. */
  gatewayToken?: (() => Promise<string>) | undefined;
};

const silent = { debug() {}, info() {}, warn() {}, error() {} };

type ErrorLike = { message: string; path?: readonly (string | number)[] | undefined; locations?: unknown; extensions?: Record<string, unknown> | undefined };

export const shapeOf = ({ message, path, locations, extensions }: ErrorLike): ErrorShape => ({
  message,
  ...(path ? { path } : {}),
  ...(locations ? { locations } : {}),
  extensions: {
    ...(extensions?.code !== undefined ? { code: extensions.code } : {}),
    ...(extensions?.serviceName !== undefined ? { serviceName: extensions.serviceName } : {}),
  },
});

/**
 * Junction's executor as gateway/src/server.ts builds it (the SDL through
 * supergraphForGateway, a SubgraphDataSource per subgraph), errors shown as
 * the pipeline shows them to clients (`formatted`). Throws when it refuses the supergraph.
 */
export function startJunction({ supergraphSdl, gatewayToken }: GatewayOptions): Gateway & { executor: Executor } {
  const sources: SubgraphDataSource[] = [];
  const logger = pino({ level: 'silent' });
  const executor = createExecutor({
    supergraphSdl: supergraphForGateway(supergraphSdl),
    introspection: true,
    fetcher: ({ name, url }) => {
      const source = createSubgraphDataSource({ name, url, logger, production: false });
      sources.push(source);
      return source;
    },
  });
  return {
    executor,
    async via(operation) {
      const result = await executor.execute(junctionRequest(operation, gatewayToken));
      return {
        status: result.status,
        data: result.data,
        // As the pipeline shows them to clients (`formatted`): an error that came without a code gets one.
        errors: result.errors.map((error) => shapeOf(formatted(error))),
        valueCompletion: result.extensions?.valueCompletion,
        extensions: result.extensions,
      };
    },
    async stop() {
      for (const source of sources) source.close();
    },
  };
}

/** Stock @apollo/gateway in Apollo Server, answering through executeOperation. Rejects when it refuses the supergraph. */
export async function startStock({ supergraphSdl, gatewayToken }: GatewayOptions): Promise<Gateway & { server: ApolloServer }> {
  const server = new ApolloServer({
    gateway: new ApolloGateway({
      // Loaded as Junction's server loads it: @authenticated/@requiresScopes links without `for: SECURITY`.
      supergraphSdl: supergraphForGateway(supergraphSdl),
      logger: silent,
      ...(gatewayToken
        ? {
            buildService: ({ url }) =>
              new RemoteGraphQLDataSource({
                ...(url ? { url } : {}),
                async willSendRequest({ request }) {
                  request.http?.headers.set(GATEWAY_HEADER, await gatewayToken());
                },
              }),
          }
        : {}),
    }),
    logger: silent,
  });
  await server.start();
  return {
    server,
    async via({ query, variables, operationName }) {
      const response = await server.executeOperation({ query, ...(variables ? { variables } : {}), ...(operationName ? { operationName } : {}) });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      const result = JSON.parse(JSON.stringify(response.body.singleResult)) as { data?: unknown; errors?: ErrorLike[]; extensions?: Record<string, unknown> };
      return {
        status: response.http.status ?? 200,
        data: 'data' in result ? JSON.stringify(result.data) : undefined,
        errors: (result.errors ?? []).map(shapeOf),
        valueCompletion: result.extensions?.valueCompletion,
        extensions: result.extensions,
      };
    },
    stop: () => server.stop(),
  };
}

/** Junction's executor and stock @apollo/gateway, on one supergraph. */
export async function startGateways(options: GatewayOptions): Promise<Gateways> {
  const junction = startJunction(options);
  try {
    const stock = await startStock(options);
    return {
      junction: junction.executor,
      viaJunction: junction.via,
      viaStock: stock.via,
      async stop() {
        await stock.stop();
        await junction.stop();
      },
    };
  } catch (error) {
    await junction.stop();
    throw error;
  }
}

/** The request Junction's executor is given; active override labels go in its `overrideLabels`. */
export function junctionRequest({ query, variables, operationName, overrideLabels }: Operation, gatewayToken: (() => Promise<string>) | undefined): ExecutionRequest {
  return {
    document: parse(query),
    query,
    variables,
    operationName,
    context: { requestId: 'differential', ...(gatewayToken ? { gatewayToken } : {}) },
    ...(overrideLabels ? { overrideLabels: new Set(overrideLabels) } : {}),
  };
}

/** The shop's comparison: an answer, with what the subgraphs received for this one operation. */
export type Answer = GatewayAnswer & { requests: SubgraphRequest[] };

type Comparison = { subgraphs: Shop; gateways: Gateways };

let comparison: Comparison | undefined;

/** Starts the shop's subgraphs, composes them, and puts Junction's executor and @apollo/gateway in front. */
export async function startComparison(): Promise<void> {
  const subgraphs = await startShop();
  try {
    const composed = await composeSupergraph({
      federationVersion: '=2.14.4',
      subgraphs: subgraphs.subgraphs.map(({ name, url }) => ({ name, routingUrl: url, schema: { subgraphUrl: url } })),
    });
    if (!composed.ok) throw new Error(JSON.stringify(composed.problems));
    comparison = { subgraphs, gateways: await startGateways({ supergraphSdl: composed.supergraphSdl }) };
  } catch (error) {
    await subgraphs.stop();
    throw error;
  }
}

export async function stopComparison(): Promise<void> {
  if (!comparison) return;
  const { gateways, subgraphs } = comparison;
  comparison = undefined;
  await gateways.stop();
  await subgraphs.stop();
}

function started(): Comparison {
  if (!comparison) throw new Error('startComparison() has not run');
  return comparison;
}

/** Runs one operation on a fresh shop, through one of the two gateways. */
async function onFreshShop(via: (gateways: Gateways) => Promise<GatewayAnswer>): Promise<Answer> {
  const { subgraphs, gateways } = started();
  shop.reset();
  const from = subgraphs.log.length;
  const answer = await via(gateways);
  return { ...answer, requests: subgraphs.log.slice(from) };
}

export const viaJunction = (query: string, variables?: Record<string, unknown>) => onFreshShop((gateways) => gateways.viaJunction({ query, variables }));
export const viaApollo = (query: string, variables?: Record<string, unknown>) => onFreshShop((gateways) => gateways.viaStock({ query, variables }));

/** Runs the operation through both, each on a fresh shop; expects the same answer by the rule of compare-answers.ts, and returns both. */
export async function expectSame(query: string, variables?: Record<string, unknown>) {
  const ours = await viaJunction(query, variables);
  const theirs = await viaApollo(query, variables);
  // The values first, for a readable diff; then the rule, which also holds the order of keys and the errors.
  expect(ours.data === undefined ? undefined : JSON.parse(ours.data)).toEqual(theirs.data === undefined ? undefined : JSON.parse(theirs.data));
  expect(firstDifference(ours, theirs), JSON.stringify({ junction: ours, stock: theirs }, ['status', 'data', 'errors', 'message', 'path', 'extensions', 'code', 'serviceName', 'valueCompletion'])).toBeUndefined();
  return { ours, theirs, data: ours.data === undefined ? undefined : (JSON.parse(ours.data) as Record<string, unknown> | null) };
}

export const entityFetches = (requests: SubgraphRequest[]) => requests.filter((request) => request.representations);
export const keysOf = (request: SubgraphRequest) => request.representations!.map((representation) => JSON.stringify(representation));
export const perSubgraph = (requests: SubgraphRequest[]) => requests.map((request) => request.subgraph);
