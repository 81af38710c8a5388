import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractSupergraph, readContractsConfig, type Contract } from '#tooling/contracts.js';
import { composeSupergraph, readSupergraphConfig } from '#tooling/supergraph.js';
import { generateWorld } from '../../scripts/seed/world.js';
import { PRODUCTION_SECRET, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { codes, post } from '../support/graphql.js';
import { loggedTimes } from '../support/hot-reload.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * `junction gateway --supergraph FILE --contract partner=FILE` with
 * CONTRACT_CLIENTS=acme=partner, as an operator runs it, in front of the real
 * subgraphs. Both files are watched: the full supergraph reloading leaves the
 * contract serving (its subgraph clients too), and the contract reloads on its own.
 */
const world = generateWorld({ users: 3, products: 4, reviews: 6 });
/** Subgraph clients no longer used close this long after; the contract's must not. */
const REQUEST_TIMEOUT_MS = 1_000;
let stack: TestStack;
let partnerContract: Contract;
let dir: string;
let gateway: GatewayProcess | undefined;

beforeAll(async () => {
  // The subgraphs trust what the gateway process signs.
  stack = await startTestStack(world, { GATEWAY_SECRET: PRODUCTION_SECRET });
  [partnerContract] = (await readContractsConfig('contracts.yaml')).contracts as [Contract];
  dir = await mkdtemp(join(tmpdir(), 'junction-contracts-'));
});
afterAll(async () => {
  await gateway?.stop();
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The supergraph of the running subgraphs, leaving out those in `without`. */
async function supergraphOf(without: string[] = []): Promise<string> {
  const config = await readSupergraphConfig('supergraph.yaml', {});
  const subgraphs = config.subgraphs
    .filter(({ name }) => !without.includes(name))
    .map((subgraph) => ({ ...subgraph, routingUrl: stack.subgraphs[subgraph.name as keyof TestStack['subgraphs']]!.url }));
  const composed = await composeSupergraph({ ...config, subgraphs });
  if (!composed.ok) throw new Error(composed.problems.map((problem) => problem.message).join('\n'));
  return composed.supergraphSdl;
}

const REVIEW = '{ review(id: "1") { body product { upc } } }';
const review = world.reviews.find(({ id }) => id === 1)!;
const REVIEWED = { review: { body: review.body, product: { upc: review.productUpc } } };

describe('junction gateway --contract', { timeout: 120_000 }, () => {
  it('serves the contract to its clients, and reloads the full supergraph and the contract each on their own', async () => {
    const contractFile = join(dir, 'partner.graphql');
    await writeFile(contractFile, contractSupergraph(await supergraphOf(), partnerContract));
    gateway = await startGatewayProcess(
      await supergraphOf(),
      { JWKS_FILE: stack.idp.jwksFile, CONTRACT_CLIENTS: 'acme=partner', INTROSPECTION: 'true', RATE_LIMIT: 'false', REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) },
      ['--contract', `partner=${contractFile}`],
    );
    const { url, running } = gateway;
    const acme = { authorization: `Bearer ${await stack.idp.token('1', { claims: { client_id: 'acme' } })}` };

    expect((await post(url, '{ __type(name: "User") { name } }', {}, acme)).data).toEqual({ __type: null });
    expect(codes(await post(url, '{ users(first: 1) { username } }', {}, acme))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect((await post(url, REVIEW, {}, acme)).data).toEqual(REVIEWED);
    expect((await post(url, '{ __type(name: "User") { name } }')).data).toEqual({ __type: { name: 'User' } });

    // The full supergraph loses the reviews subgraph; the contract, not yet changed, keeps it.
    await writeFile(gateway.supergraph, await supergraphOf(['reviews']));
    expect(await loggedTimes(running, 'supergraph reloaded', 1)).toMatchObject({ supergraph: gateway.supergraph, subgraphs: 3 });
    expect(codes(await post(url, REVIEW))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    // Past the time a client nothing used would be closed: the contract's reviews client is still in use.
    await new Promise((resolve) => setTimeout(resolve, REQUEST_TIMEOUT_MS * 2));
    expect((await post(url, REVIEW, {}, acme)).data).toEqual(REVIEWED);
    expect((await post(url, '{ __type(name: "User") { name } }', {}, acme)).data).toEqual({ __type: null });

    // Then the contract follows.
    await writeFile(contractFile, contractSupergraph(await supergraphOf(['reviews']), partnerContract));
    expect(await loggedTimes(running, 'supergraph reloaded', 2)).toMatchObject({ supergraph: contractFile, subgraphs: 3 });
    expect(codes(await post(url, REVIEW, {}, acme))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const upc = world.products[0]!.upc;
    expect((await post(url, `{ product(upc: "${upc}") { upc name } }`, {}, acme)).data).toEqual({ product: { upc, name: world.products[0]!.name } });

    expect(await gateway.stop()).toBe(0);
    gateway = undefined;
  });

  it('refuses to start when CONTRACT_CLIENTS names a contract it does not serve', async () => {
    await expect(startGatewayProcess(await supergraphOf(), { CONTRACT_CLIENTS: 'acme=partner,globex=reseller' }, [])).rejects.toThrow(
      /CONTRACT_CLIENTS maps client "acme" to contract "partner", client "globex" to contract "reseller", but no contract is served/,
    );
  });
});
