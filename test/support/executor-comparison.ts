import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { parse } from 'graphql';
import { pino } from 'pino';
import { expect } from 'vitest';
import { composeSupergraph } from '#lib/supergraph.js';
import { SubgraphDataSource } from '../../gateway/src/data-source.js';
import { formatted } from '../../gateway/src/errors.js';
import { createExecutor, type Executor } from '../../gateway/src/executor.js';
import { shop, startShop, type Shop, type SubgraphRequest } from '../fixtures/shop-subgraphs.js';

/**
 * Junction's executor against stock @apollo/gateway (in Apollo Server, with
 * its own RemoteGraphQLDataSource), both over the same three real subgraphs
 * (test/fixtures/shop-subgraphs.ts): every operation must give the same
 * status, the same `data` down to the order of its keys, the same errors
 * (message, path, code) and the same `extensions.valueCompletion`.
 *
 * A test file starts the comparison in its beforeAll (startComparison) and
 * stops it in its afterAll (stopComparison); viaJunction, viaApollo and
 * expectSame run operations through the one that file started.
 */
export type Answer = {
  status: number;
  /** `data` as JSON text: compared as text, so the order of keys counts. */
  data: string | undefined;
  /** Compared whole: message, path, locations, extensions (code, serviceName). */
  errors: ReturnType<typeof shapeOf>[];
  valueCompletion: unknown;
  /** What the subgraphs received for this one operation. */
  requests: SubgraphRequest[];
};

type Comparison = { subgraphs: Shop; junction: Executor; apollo: ApolloServer; sources: SubgraphDataSource[] };

let comparison: Comparison | undefined;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Starts the shop's subgraphs, composes them, and puts Junction's executor and @apollo/gateway in front. */
export async function startComparison(): Promise<void> {
  const subgraphs = await startShop();
  const sources: SubgraphDataSource[] = [];
  try {
    const composed = await composeSupergraph({
      federationVersion: '=2.14.4',
      subgraphs: subgraphs.subgraphs.map(({ name, url }) => ({ name, routingUrl: url, schema: { subgraphUrl: url } })),
    });
    if (!composed.ok) throw new Error(JSON.stringify(composed.problems));
    const logger = pino({ level: 'silent' });
    const junction = createExecutor({
      supergraphSdl: composed.supergraphSdl,
      introspection: true,
      fetcher: ({ name, url }) => {
        const source = new SubgraphDataSource({ name, url, logger, production: false });
        sources.push(source);
        return source;
      },
    });
    const apollo = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: composed.supergraphSdl, logger: silent }), logger: silent });
    await apollo.start();
    comparison = { subgraphs, junction, apollo, sources };
  } catch (error) {
    for (const source of sources) source.close();
    await subgraphs.stop();
    throw error;
  }
}

export async function stopComparison(): Promise<void> {
  if (!comparison) return;
  const { apollo, sources, subgraphs } = comparison;
  comparison = undefined;
  await apollo.stop();
  for (const source of sources) source.close();
  await subgraphs.stop();
}

function started(): Comparison {
  if (!comparison) throw new Error('startComparison() has not run');
  return comparison;
}

type ErrorLike = { message: string; path?: readonly (string | number)[] | undefined; locations?: unknown; extensions?: Record<string, unknown> | undefined };
const shapeOf = ({ message, path, locations, extensions }: ErrorLike) => ({
  message,
  ...(path ? { path } : {}),
  ...(locations ? { locations } : {}),
  extensions,
});

export async function viaJunction(query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const { subgraphs, junction } = started();
  shop.reset();
  const from = subgraphs.log.length;
  const result = await junction.execute({ document: parse(query), query, variables, context: { requestId: 'differential' } });
  return {
    status: result.status,
    data: result.data,
    // As the pipeline shows them to clients (`formatted`): an error that came without a code gets one.
    errors: result.errors.map((error) => shapeOf(formatted(error))),
    valueCompletion: result.extensions?.valueCompletion,
    requests: subgraphs.log.slice(from),
  };
}

export async function viaApollo(query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const { subgraphs, apollo } = started();
  shop.reset();
  const from = subgraphs.log.length;
  const response = await apollo.executeOperation({ query, ...(variables ? { variables } : {}) });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  const result = JSON.parse(JSON.stringify(response.body.singleResult)) as { data?: unknown; errors?: ErrorLike[]; extensions?: { valueCompletion?: unknown } };
  return {
    status: response.http.status ?? 200,
    data: 'data' in result ? JSON.stringify(result.data) : undefined,
    errors: (result.errors ?? []).map(shapeOf),
    valueCompletion: result.extensions?.valueCompletion,
    requests: subgraphs.log.slice(from),
  };
}

/** Runs the operation through both, each on a fresh shop; expects the same answer and returns both. */
export async function expectSame(query: string, variables?: Record<string, unknown>) {
  const ours = await viaJunction(query, variables);
  const theirs = await viaApollo(query, variables);
  expect(ours.data === undefined ? undefined : JSON.parse(ours.data)).toEqual(theirs.data === undefined ? undefined : JSON.parse(theirs.data));
  expect(ours.data).toBe(theirs.data);
  expect({ status: ours.status, errors: ours.errors, valueCompletion: ours.valueCompletion }).toEqual({
    status: theirs.status,
    errors: theirs.errors,
    valueCompletion: theirs.valueCompletion,
  });
  return { ours, theirs, data: ours.data === undefined ? undefined : (JSON.parse(ours.data) as Record<string, unknown> | null) };
}

export const entityFetches = (requests: SubgraphRequest[]) => requests.filter((request) => request.representations);
export const keysOf = (request: SubgraphRequest) => request.representations!.map((representation) => JSON.stringify(representation));
export const perSubgraph = (requests: SubgraphRequest[]) => requests.map((request) => request.subgraph);
