import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { World } from '../../scripts/seed/world.js';
import { PRODUCTION_SECRET, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { post } from '../support/graphql.js';
import { freePorts, run, type Running } from '../support/processes.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/*
 * The commerce supergraph with `junction gateway` processes in front, as an
 * operator runs it: the subgraphs in this process on a database child
 * processes share (the real Postgres, or the embedded one served over its
 * socket), each gateway and any extra reviews subgraph a process of its own.
 */

/** A new review with fields from three subgraphs: reviews, accounts (author) and products (name). */
export const REVIEW_ADDED = 'subscription($upc: String) { reviewAdded(upc: $upc) { body author { username } product { upc name } } }';

export type Commerce = {
  stack: TestStack;
  world: World;
  /** A `junction gateway` process (production mode) over `supergraphSdl`, by default the stack's. */
  gateway(options?: { supergraphSdl?: string; env?: Record<string, string | undefined>; args?: string[] }): Promise<GatewayProcess>;
  /** Another reviews subgraph, alone in its own process, on the same database. */
  reviews(): Promise<{ running: Running; url: string }>;
  /** The stack's supergraph with the reviews subgraph routed to `url`. */
  withReviewsAt(url: string): string;
  /** Writes a review through the gateway at `gatewayUrl`, as the first user. */
  review(gatewayUrl: string, productIndex: number, body: string): Promise<void>;
  /** The data of the `REVIEW_ADDED` event such a review causes: fields from reviews, accounts and products. */
  expected(productIndex: number, body: string): { reviewAdded: Record<string, unknown> };
  close(): Promise<void>;
};

export async function startCommerce(world: World): Promise<Commerce> {
  // The gateway processes sign their calls with the production secret: the subgraphs here must know it.
  const stack = await startTestStack(world, { GATEWAY_SECRET: PRODUCTION_SECRET }, { shared: true });
  const started: { stop(): Promise<unknown> }[] = [];
  const dataDirs: string[] = [];
  const database = stack.database;
  return {
    stack,
    world,
    async gateway({ supergraphSdl = stack.supergraphSdl, env = {}, args = [] } = {}) {
      const gateway = await startGatewayProcess(
        supergraphSdl,
        // The API keys' database: the test's Postgres database, or the process's own embedded one.
        { JWKS_FILE: stack.idp.jwksFile, RATE_LIMIT: 'false', DATABASE_URL: database.url, ...env },
        args,
      );
      started.push(gateway);
      return gateway;
    },
    async reviews() {
      const [port] = await freePorts(1);
      const dataDir = database.dataDir ?? (await mkdtemp(join(tmpdir(), 'junction-reviews-')));
      if (!database.dataDir) dataDirs.push(dataDir);
      const running = run('node', ['--import', 'tsx', 'subgraphs/reviews/src/index.ts'], {
        NODE_ENV: 'production',
        GATEWAY_SECRET: PRODUCTION_SECRET,
        LOG_LEVEL: 'info',
        PORT: String(port),
        ACCOUNTS_URL: stack.subgraphs.accounts!.url,
        PRODUCTS_URL: stack.subgraphs.products!.url,
        DATABASE_URL: database.url,
        JUNCTION_DATA_DIR: dataDir,
      });
      started.push({
        stop: async () => {
          if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
          await running.exited;
        },
      });
      const [, url] = await running.waitFor(/"url":"([^"]+)".*reviews subgraph ready/);
      return { running, url: url! };
    },
    withReviewsAt(url) {
      const routed = stack.supergraphSdl.replace(/(@join__graph\(name: "reviews", url: ")[^"]+/, `$1${url}`);
      expect(routed).not.toBe(stack.supergraphSdl);
      return routed;
    },
    async review(gatewayUrl, productIndex, body) {
      const product = world.products[productIndex]!;
      const result = await post(
        gatewayUrl,
        'mutation($input: CreateReviewInput!) { createReview(input: $input) { id } }',
        { input: { upc: product.upc, rating: 4, body } },
        await stack.signIn(Number(world.users[0]!.id)),
      );
      expect(result.errors).toBeUndefined();
    },
    expected(productIndex, body) {
      const product = world.products[productIndex]!;
      return { reviewAdded: { body, author: { username: world.users[0]!.username }, product: { upc: product.upc, name: product.name } } };
    },
    async close() {
      for (const service of started.reverse()) await service.stop();
      await stack.close();
      for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes reviews until the subscription hears one: the gateway opens it at the
 * subgraph when it runs the operation, which no protocol message announces.
 * Returns the number of writes; the caller forgets what they caused.
 */
export async function untilLive(heard: () => number, write: () => Promise<unknown>, attempts = 20): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const before = heard();
    await write();
    const deadline = Date.now() + 500;
    while (heard() === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    if (heard() > before) return;
  }
  throw new Error(`The subscription heard nothing after ${attempts} writes.`);
}
