import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphQLError, parse } from 'graphql';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { Logger } from '#lib/logger.js';
import { parseClientSettings } from '#lib/client-settings.js';
import { throttledWarning } from '#lib/redis.js';

/**
 * Where a request's document text comes from: the request itself (freeform),
 * Apollo's automatic persisted queries (APQ, a cache clients fill), or a
 * client's trusted documents (a manifest deployed with the gateway). Per
 * client, a mode decides which of these are allowed:
 * - off: all of them;
 * - allowlist: freeform text only if it is in the client's manifest, and ids from it;
 * - enforce: ids from the client's manifest only.
 */
export type PersistedMode = 'off' | 'allowlist' | 'enforce';

export type DocumentRequest = {
  query?: string | undefined;
  extensions?: Record<string, unknown> | null | undefined;
};

/** Who is asking. `trusted`: named by a credential; otherwise by a header anyone can send. */
export type ClientRef = { name: string | undefined; trusted: boolean };

export type ResolvedDocument =
  | { ok: true; query: string; /** Whether it came from a trusted manifest. */ trusted: boolean }
  | { ok: false; status: number; error: GraphQLError };

export type TrustedOperation = { id: string; name: string; type: 'query' | 'mutation' | 'subscription'; body: string };
/** One client's manifest, by id and by the sha256 of the body (to recognise freeform text). */
export type TrustedManifest = {
  byId: ReadonlyMap<string, TrustedOperation>;
  byBodyHash: ReadonlyMap<string, TrustedOperation>;
};
/** Manifests by client name. */
export type TrustedDocuments = ReadonlyMap<string, TrustedManifest>;

export type PersistedDocumentsOptions = {
  apq: boolean;
  apqCacheSize: number;
  /** How long a registered APQ document stays in Redis. */
  apqTtlSeconds?: number;
  redis?: Redis | undefined;
  redisPrefix: string;
  trusted?: TrustedDocuments | undefined;
  defaultMode: PersistedMode;
  clientModes: Record<string, PersistedMode>;
  logger: Logger;
};

export type PersistedDocuments = {
  resolve(request: DocumentRequest, client: ClientRef): Promise<ResolvedDocument>;
};

const STRICTNESS: Record<PersistedMode, number> = { off: 0, allowlist: 1, enforce: 2 };
const MODES = Object.keys(STRICTNESS) as PersistedMode[];
const isMode = (value: string): value is PersistedMode => Object.hasOwn(STRICTNESS, value);

const SHA256_HEX = /^[0-9a-f]{64}$/;
const DAY_SECONDS = 24 * 60 * 60;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Client modes from configuration entries like `web=enforce`; throws listing every bad entry. */
export function parseClientModes(entries: readonly string[]): Record<string, PersistedMode> {
  const modes = parseClientSettings(entries, {
    setting: 'Trusted document client modes',
    syntax: `<client>=<${MODES.join('|')}>`,
    noun: 'a mode',
    accepts: isMode,
  });
  return Object.fromEntries(modes);
}

const manifestSchema = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string(),
      type: z.enum(['query', 'mutation', 'subscription']),
      body: z.string().min(1),
    }),
  ),
});

/**
 * Loads `<dir>/<client>.json` manifests (Apollo's persisted query manifest
 * format). Throws on the first bad file, naming it, so that a gateway with a
 * broken manifest refuses to start rather than refusing that client's requests.
 */
export async function loadTrustedDocuments(dir: string): Promise<TrustedDocuments> {
  let files: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    files = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.json')).map((entry) => entry.name);
  } catch (error) {
    throw new Error(`Trusted documents: cannot read the directory ${dir}: ${(error as Error).message}`);
  }
  const manifests = new Map<string, TrustedManifest>();
  for (const file of files.sort()) {
    const path = join(dir, file);
    const client = file.slice(0, -'.json'.length);
    if (client === '') throw new Error(`Trusted documents: ${path}: the file name must be <client name>.json`);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new Error(`Trusted documents: ${path}: ${(error as Error).message}`);
    }
    manifests.set(client, parseManifest(json, path));
  }
  return manifests;
}

function parseManifest(json: unknown, path: string): TrustedManifest {
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`Trusted documents: ${path} is not an apollo-persisted-query-manifest v1: ${problems.join('; ')}`);
  }
  const byId = new Map<string, TrustedOperation>();
  const byBodyHash = new Map<string, TrustedOperation>();
  for (const operation of result.data.operations) {
    if (byId.has(operation.id)) throw new Error(`Trusted documents: ${path}: id "${operation.id}" appears twice`);
    try {
      parse(operation.body);
    } catch (error) {
      throw new Error(`Trusted documents: ${path}: operation "${operation.id}": ${(error as Error).message}`);
    }
    byId.set(operation.id, operation);
    byBodyHash.set(sha256(operation.body), operation);
  }
  return { byId, byBodyHash };
}

function failure(status: number, code: string, message: string): ResolvedDocument {
  return { ok: false, status, error: new GraphQLError(message, { extensions: { code } }) };
}

/** Client-sent text quoted in an error, cut short. */
const quote = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
const clientLabel = (client: ClientRef) =>
  client.name === undefined ? 'an unnamed client' : `client ${quote(client.name)}`;
const notInList = (client: ClientRef) =>
  failure(400, 'PERSISTED_QUERY_NOT_IN_LIST', `This operation is not registered for ${clientLabel(client)}.`);

/** The APQ cache: memory first, then Redis (shared by every gateway), filling memory. */
function createApqStore(options: PersistedDocumentsOptions) {
  const memory = new LRUCache<string, string>({ max: options.apqCacheSize });
  const { redis } = options;
  const ttl = options.apqTtlSeconds ?? DAY_SECONDS;
  const warn = throttledWarning(options.logger, 'APQ: Redis failed; using the in-memory cache only');
  const key = (hash: string) => `${options.redisPrefix}apq:${hash}`;
  return {
    async get(hash: string): Promise<string | undefined> {
      const cached = memory.get(hash);
      if (cached !== undefined || !redis) return cached;
      try {
        const shared = await redis.get(key(hash));
        // Redis is shared and outside the gateway: check what it hands back.
        if (shared === null || sha256(shared) !== hash) return undefined;
        memory.set(hash, shared);
        return shared;
      } catch (error) {
        warn(error);
        return undefined;
      }
    },
    async set(hash: string, query: string): Promise<void> {
      memory.set(hash, query);
      if (!redis) return;
      try {
        await redis.set(key(hash), query, 'EX', ttl);
      } catch (error) {
        warn(error);
      }
    },
  };
}

export function createPersistedDocuments(options: PersistedDocumentsOptions): PersistedDocuments {
  const apq = options.apq ? createApqStore(options) : undefined;
  const { defaultMode, clientModes, trusted } = options;

  /** A header can name any client, so it may only make the mode stricter than the default. */
  function modeOf(client: ClientRef): PersistedMode {
    const { name } = client;
    const own = name !== undefined && Object.hasOwn(clientModes, name) ? clientModes[name] : undefined;
    if (own === undefined) return defaultMode;
    if (client.trusted) return own;
    return STRICTNESS[own] > STRICTNESS[defaultMode] ? own : defaultMode;
  }

  return {
    async resolve(request, client) {
      const query = request.query === '' ? undefined : request.query;
      const persisted = request.extensions?.persistedQuery;
      const mode = modeOf(client);
      const manifest = client.name === undefined ? undefined : trusted?.get(client.name);

      if (persisted === undefined || persisted === null) {
        if (query === undefined) {
          return failure(400, 'BAD_REQUEST', 'A GraphQL request needs a query or a persisted query id.');
        }
        if (mode === 'enforce') {
          const message = `Only registered operations may run for ${clientLabel(client)}; send an operation id.`;
          return failure(400, 'PERSISTED_QUERY_ID_REQUIRED', message);
        }
        const listed = manifest?.byBodyHash.get(sha256(query));
        if (mode === 'allowlist' && !listed) return notInList(client);
        return { ok: true, query, trusted: listed !== undefined };
      }

      if (typeof persisted !== 'object' || Array.isArray(persisted)) {
        return failure(400, 'BAD_REQUEST', 'extensions.persistedQuery must be an object.');
      }
      const { version, sha256Hash: id } = persisted as Record<string, unknown>;
      if (version !== 1) return failure(400, 'BAD_REQUEST', 'Unsupported persisted query version.');
      if (typeof id !== 'string' || id === '') {
        return failure(400, 'BAD_REQUEST', 'extensions.persistedQuery.sha256Hash must be a non-empty string.');
      }

      const listed = manifest?.byId.get(id) ?? manifest?.byBodyHash.get(id);
      // A manifest id need not be a hash of its body, so text matching the listed body is no mismatch either.
      if (query !== undefined && sha256(query) !== id && listed?.body !== query) {
        return failure(400, 'PERSISTED_QUERY_HASH_MISMATCH', 'The query does not match its sha256Hash.');
      }
      if (listed) return { ok: true, query: listed.body, trusted: true };
      // Registering text through APQ would be a way around the list.
      if (mode === 'allowlist' && query !== undefined) return notInList(client);
      if (mode !== 'off') {
        const message = `${quote(id)} is not a registered operation for ${clientLabel(client)}.`;
        return failure(400, 'PERSISTED_QUERY_UNKNOWN_ID', message);
      }

      // Mode off: Apollo's automatic persisted queries.
      if (query !== undefined) {
        await apq?.set(id, query);
        return { ok: true, query, trusted: false };
      }
      if (!apq) return failure(200, 'PERSISTED_QUERY_NOT_SUPPORTED', 'PersistedQueryNotSupported');
      const found = SHA256_HEX.test(id) ? await apq.get(id) : undefined;
      // Status 200: Apollo Client reads this code and sends the request again with the query.
      if (found === undefined) return failure(200, 'PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound');
      return { ok: true, query: found, trusted: false };
    },
  };
}
