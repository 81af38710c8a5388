import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getOperationAST, parse, type GraphQLSchema } from 'graphql';
import { apiSchemaOf, apiSdlOf } from '#tooling/api-schema.js';
import { composeSupergraph, formatCompositionProblem } from '#tooling/supergraph.js';
import { startJunction, startStock, type Gateway, type GatewayAnswer, type Operation } from '../support/executor-comparison.js';
import { run, type Running } from '../support/processes.js';
import type { Shape } from './shape.js';
import { hostedShapes, pathOf, subgraphsOf } from './shapes/hosted.js';

/**
 * Starts shapes for comparison: their subgraphs in one child process
 * (subgraph-host.ts) over HTTP, each shape (and each of its variants)
 * composed with federation 2.14.4 into a supergraph file in a temporary
 * folder, and Junction's executor and stock @apollo/gateway in front of it.
 * Shapes that serve themselves (ours: Junction's own supergraph) say how in
 * `SelfServed`.
 */
export type SelfServed = {
  shape: Shape;
  start(): Promise<{ supergraphSdl: string; gatewayToken?: () => Promise<string>; stop(): Promise<void> }>;
};

export type StartedShape = {
  shape: Shape;
  /** The supergraph file, for the report of a failure. */
  supergraphPath: string;
  supergraphSdl: string;
  /** The API schema clients see, built from the supergraph without Junction. */
  schema: GraphQLSchema;
  /**
   * Variants whose API schema is not the shape's (e.g. @fromContext arguments
   * made ordinary ones): introspection through them would differ for that alone.
   */
  variantsWithOtherApis: string[];
  /** Junction on the shape's supergraph, or why it refused it. */
  junction: Gateway | Error;
  /** Stock on the shape's supergraph (`''`) and on each variant, or why it refused one. */
  stock: Record<string, Gateway | Error>;
  /** Puts the shape's data back as it was. */
  reset(): Promise<void>;
};

export type Harness = {
  folder: string;
  shapes: Record<string, StartedShape>;
  stop(options?: { keepFolder?: boolean }): Promise<void>;
};

const HOST = 'test/conformance/subgraph-host.ts';

async function startHost(names: string[]): Promise<{ host: Running; base: string }> {
  const host = run(process.execPath, ['--import', 'tsx', HOST, ...names], { PORT: '0', NODE_ENV: 'test' });
  try {
    const [, port] = await host.waitFor(/subgraph host listening on port (\d+)/, 60_000);
    return { host, base: `http://127.0.0.1:${port}` };
  } catch (error) {
    host.terminate();
    throw error;
  }
}

async function settle<T>(start: () => T | Promise<T>): Promise<T | Error> {
  try {
    return await start();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Writes each subgraph's SDL beside the supergraph and composes from those files. */
async function compose(folder: string, subgraphs: { name: string; sdl: string; url: string }[]): Promise<string> {
  await mkdir(folder, { recursive: true });
  const sources = [];
  for (const { name, sdl, url } of subgraphs) {
    const file = join(folder, `${name}.graphql`);
    await writeFile(file, `${sdl.trim()}\n`);
    sources.push({ name, routingUrl: url, schema: { file } });
  }
  const composed = await composeSupergraph({ federationVersion: '=2.14.4', subgraphs: sources });
  if (!composed.ok) throw new Error(`${folder} does not compose:\n${composed.problems.map(formatCompositionProblem).join('\n')}`);
  await writeFile(join(folder, 'supergraph.graphql'), composed.supergraphSdl);
  return composed.supergraphSdl;
}

async function startGatewaysOn(
  shape: Shape,
  folder: string,
  supergraphSdl: string,
  variants: Record<string, string>,
  gatewayToken: (() => Promise<string>) | undefined,
  reset: () => Promise<void>,
): Promise<StartedShape> {
  const stock: Record<string, Gateway | Error> = { '': await settle(() => startStock({ supergraphSdl, gatewayToken })) };
  for (const [variant, sdl] of Object.entries(variants)) stock[variant] = await settle(() => startStock({ supergraphSdl: sdl, gatewayToken }));
  const api = apiSdlOf(supergraphSdl);
  return {
    shape,
    supergraphPath: join(folder, 'supergraph.graphql'),
    supergraphSdl,
    schema: apiSchemaOf(supergraphSdl),
    variantsWithOtherApis: Object.entries(variants).flatMap(([variant, sdl]) => (apiSdlOf(sdl) === api ? [] : [variant])),
    junction: await settle(() => startJunction({ supergraphSdl, gatewayToken })),
    stock,
    reset,
  };
}

/** Starts the given shapes: hosted ones in one subgraph host, self-served ones each as they say. */
export async function startHarness(hosted: string[], selfServed: SelfServed[] = []): Promise<Harness> {
  const folder = await mkdtemp(join(tmpdir(), 'junction-conformance-'));
  const stops: (() => Promise<void>)[] = [];
  const shapes: Record<string, StartedShape> = {};
  const stop = async ({ keepFolder = false } = {}) => {
    for (const started of Object.values(shapes)) {
      for (const gateway of [started.junction, ...Object.values(started.stock)]) if (!(gateway instanceof Error)) await gateway.stop();
    }
    for (const step of stops.reverse()) await step();
    if (!keepFolder) await rm(folder, { recursive: true, force: true });
  };
  try {
    if (hosted.length > 0) {
      const { host, base } = await startHost(hosted);
      stops.push(async () => {
        host.terminate();
        await host.groupGone();
      });
      for (const name of hosted) {
        const shape = hostedShapes[name]!;
        const subgraphsFor = (variant?: string) =>
          subgraphsOf(shape, variant).map(({ name: subgraph, sdl }) => ({ name: subgraph, sdl, url: `${base}${pathOf(shape, subgraph, variant)}` }));
        const supergraphSdl = await compose(join(folder, name), subgraphsFor());
        const variants: Record<string, string> = {};
        for (const variant of Object.keys(shape.variants ?? {})) variants[variant] = await compose(join(folder, `${name}~${variant}`), subgraphsFor(variant));
        const reset = async () => {
          if (shape.reset) await fetch(`${base}/reset/${name}`, { method: 'POST' });
        };
        shapes[name] = await startGatewaysOn(shape, join(folder, name), supergraphSdl, variants, undefined, reset);
      }
    }
    for (const { shape, start } of selfServed) {
      const served = await start();
      stops.push(served.stop);
      await mkdir(join(folder, shape.name), { recursive: true });
      await writeFile(join(folder, shape.name, 'supergraph.graphql'), served.supergraphSdl);
      shapes[shape.name] = await startGatewaysOn(shape, join(folder, shape.name), served.supergraphSdl, {}, served.gatewayToken, async () => {});
    }
  } catch (error) {
    await stop({ keepFolder: true });
    throw error;
  }
  return { folder, shapes, stop };
}

function writes({ query, operationName }: Operation): boolean {
  try {
    return getOperationAST(parse(query), operationName)?.operation === 'mutation';
  } catch {
    return false;
  }
}

/** An answer standing for a gateway that could not answer: it refused the supergraph, or threw. */
export function failedAnswer(why: Error): GatewayAnswer {
  return { status: 0, data: undefined, errors: [{ message: why.message, extensions: { code: 'NO_ANSWER' } }], valueCompletion: undefined, extensions: undefined };
}

/** Runs one operation through one gateway, on data as it was (a mutation might have changed it). */
export async function answerOf(started: StartedShape, gateway: Gateway | Error, operation: Operation): Promise<GatewayAnswer> {
  if (gateway instanceof Error) return failedAnswer(new Error(`The gateway refused the supergraph: ${gateway.message}`));
  if (started.shape.reset && writes(operation)) await started.reset();
  try {
    return await gateway.via(operation);
  } catch (error) {
    return failedAnswer(new Error(`The gateway threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
  }
}
