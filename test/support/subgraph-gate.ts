import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '#lib/logger.js';
import { createGateway, type Gateway } from '#gateway/server.js';
import type { TestStack } from './stack.js';

/** What the gate does with one request to the subgraph: pass it on, hold it until a promise settles, or answer in its place. */
export type GateDecision = 'pass' | Promise<unknown> | { status: number; body: string };

/**
 * A gateway of its own over a test stack's subgraphs, with one subgraph
 * behind a gate: an HTTP proxy that lets a test hold that subgraph's answers
 * (a slow subgraph, at the pace the test sets, not the machine's) or answer
 * for it (a failing one). Everything else is the real stack, over real HTTP.
 */
export type GatedGateway = { url: string; stop(): Promise<void> };

export async function startGatedGateway(stack: TestStack, subgraph: string, decide: (body: string) => GateDecision): Promise<GatedGateway> {
  const target = new URL(stack.subgraphs[subgraph as keyof TestStack['subgraphs']]!.url);
  const proxy: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const decision = decide(body.toString());
      if (typeof decision === 'object' && 'status' in decision) {
        res.writeHead(decision.status, { 'content-type': 'application/json' }).end(decision.body);
        return;
      }
      if (decision !== 'pass') await decision;
      const forwarded = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forwarded.on('error', () => res.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${target.pathname}`;
  if (!stack.supergraphSdl.includes(target.href)) throw new Error(`The supergraph does not route ${subgraph} to ${target.href}.`);
  const gateway: Gateway = await createGateway({
    supergraphSdl: stack.supergraphSdl.replaceAll(target.href, proxyUrl),
    env: stack.env,
    logger: createLogger(stack.env, 'test'),
    db: stack.database.db,
  });
  await new Promise<void>((resolve) => gateway.server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}/graphql`,
    async stop() {
      gateway.server.closeAllConnections();
      await new Promise((resolve) => gateway.server.close(resolve));
      await gateway.stop();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}
