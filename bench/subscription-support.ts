/**
 * What the subscription benchmark (bench/subscriptions.ts) needs around the
 * gateway: a database of its own on the local Postgres, an identity provider
 * the gateway trusts for the mutations (createReview is @authenticated), and
 * the gateway's /metrics read for the figures it keeps.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import postgres from 'postgres';
import { gatewayDatabase } from './gateways.js';

/**
 * A fresh database for the run on the Postgres the query benchmark would use
 * (DATABASE_URL, else a local server that answers), dropped at the end; or
 * undefined, and the subgraphs hold an embedded one in their own memory.
 */
export async function benchDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const serverUrl = await gatewayDatabase();
  if (!serverUrl) return undefined;
  const name = `junction_bench_subscriptions_${process.pid}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin`drop database if exists ${admin(name)} with (force)`;
  await admin`create database ${admin(name)}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin`drop database if exists ${admin(name)} with (force)`;
      await admin.end();
    },
  };
}

/** A key pair whose public half is written as the gateway's JWKS_FILE; `token` signs for a user. */
export async function issuer(dir: string): Promise<{ jwksFile: string; token(subject: string): Promise<string> }> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwksFile = join(dir, 'jwks.json');
  await writeFile(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] }));
  return {
    jwksFile,
    token: (subject) =>
      new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'bench' }).setSubject(subject).setAudience('junction').setIssuedAt().setExpirationTime('2h').sign(privateKey),
  };
}

export type Metrics = { heapUsedBytes: number; subscriptionsActive: number; websocketConnections: number };

/** The gateway's figures from its /metrics: heap used, subscriptions active (every label), WebSocket connections. */
export async function scrape(graphqlUrl: string): Promise<Metrics> {
  const text = await (await fetch(new URL('/metrics', graphqlUrl))).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    heapUsedBytes: sum('nodejs_heap_size_used_bytes'),
    subscriptionsActive: sum('junction_gateway_subscriptions_active'),
    websocketConnections: sum('junction_gateway_websocket_connections'),
  };
}
