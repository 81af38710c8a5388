import type { Env } from '#lib/env.js';
import { parseContractClients } from '#gateway/supergraph/served-supergraphs.js';
import { parseClientModes, type PersistedMode } from '#gateway/stages/persisted-documents/persisted-documents.js';

/**
 * What the Getting started pages say about the gateway partners call: where
 * it is, how it knows them, and the limits it keeps. Read from the
 * environment when the docs are generated (with the gateway's own defaults),
 * so docs generated beside a deployment's settings tell its numbers.
 */
export type DocsSettings = {
  /** The GraphQL endpoint partners call. */
  endpoint: string;
  /** Whether the gateway takes `x-api-key` (API_KEYS). */
  apiKeys: boolean;
  /** Bearer tokens, when the gateway trusts an identity provider (JWKS_URL or JWKS_FILE). */
  bearer: { audience: string; issuer: string | undefined } | undefined;
  rateLimit: false | { apiKey: Bucket; anonymous: Bucket };
  cost: { maxCost: number; anonymousMaxCost: number; contractMaxCost: ReadonlyMap<string, number> };
  limits: { maxBodyBytes: number; maxDepth: number; maxAliases: number; maxRootFields: number; maxTokens: number; maxResponseBytes: number };
  /** CONTRACT_CLIENTS: the contract each client is served. */
  contractClients: ReadonlyMap<string, string>;
  /** Which operations run for a client (TRUSTED_DOCUMENTS_MODE, TRUSTED_DOCUMENTS_CLIENT_MODES). */
  documentModes: { default: PersistedMode; clients: Readonly<Record<string, PersistedMode>> };
};

type Bucket = { burst: number; perSecond: number };

export const DEFAULT_ENDPOINT = 'http://localhost:4000/graphql';

export function docsSettings(env: Env, endpoint = DEFAULT_ENDPOINT): DocsSettings {
  const { gateway } = env;
  return {
    endpoint,
    apiKeys: env.API_KEYS,
    bearer: env.JWKS_URL || env.JWKS_FILE ? { audience: env.JWT_AUDIENCE, issuer: env.JWT_ISSUER } : undefined,
    rateLimit: gateway.rateLimit && { apiKey: gateway.rateLimit.apiKey, anonymous: gateway.rateLimit.anonymous },
    cost: { maxCost: gateway.cost.maxCost, anonymousMaxCost: gateway.cost.anonymousMaxCost, contractMaxCost: gateway.cost.contractMaxCost },
    limits: {
      maxBodyBytes: gateway.request.maxBodyBytes,
      maxDepth: gateway.limits.maxDepth,
      maxAliases: gateway.limits.maxAliases,
      maxRootFields: gateway.limits.maxRootFields,
      maxTokens: gateway.limits.maxTokens,
      maxResponseBytes: gateway.request.maxResponseBytes,
    },
    contractClients: parseContractClients(env.CONTRACT_CLIENTS ?? []),
    documentModes: { default: gateway.persistedDocuments.defaultMode, clients: parseClientModes(gateway.persistedDocuments.clientModes) },
  };
}

/** The mode a client's requests run in, as the gateway picks it for a client its key or token names. */
export const modeOf = (settings: DocsSettings, client: string): PersistedMode =>
  Object.hasOwn(settings.documentModes.clients, client) ? (settings.documentModes.clients[client] as PersistedMode) : settings.documentModes.default;
