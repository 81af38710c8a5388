import type { Redis } from 'ioredis';
import type { Database } from '#lib/db.js';
import type { Env } from '#lib/env.js';
import type { Logger } from '#lib/logger.js';
import type { Stage } from '#gateway/pipeline/stage.js';
import type { GatewayMetrics } from '#gateway/pipeline/gateway-metrics.js';
import { createApiKeyVerifier, type ApiKeyVerifier } from '#gateway/stages/identify/api-keys.js';
import { jwtVerifierFromEnv } from '#gateway/stages/identify/jwt.js';
import { createDocumentChecker } from '#gateway/stages/limits/document-checker.js';
import { createPersistedDocuments, loadTrustedDocuments, parseClientModes } from '#gateway/stages/persisted-documents/persisted-documents.js';
import { persistedDocumentsStage } from '#gateway/stages/persisted-documents/persisted-documents-stage.js';
import { authorizationStage } from '#gateway/stages/authorization/authorization-stage.js';
import { COST_HEADER, costStage } from '#gateway/stages/cost/cost-stage.js';
import { identifyStage } from '#gateway/stages/identify/identify-stage.js';
import { introspectionStage } from '#gateway/stages/introspection/introspection-stage.js';
import { limitsStage } from '#gateway/stages/limits/limits-stage.js';
import { methodStage } from '#gateway/stages/method/method-stage.js';
import { overrideLabelsStage } from '#gateway/stages/override-labels/override-labels-stage.js';
import { propagateHeadersStage } from '#gateway/stages/propagate-headers/propagate-headers-stage.js';
import { rateLimitStage } from '#gateway/stages/rate-limit/rate-limit-stage.js';
import { createRateLimiter } from '#gateway/stages/rate-limit/rate-limiter.js';

/** The gateway's stage list, in order: the half of the composition root (server.ts) that says which policies run. */
export type StageDeps = {
  env: Env;
  logger: Logger;
  db: Database | undefined;
  apiKeys: ApiKeyVerifier | undefined;
  redis: Redis | undefined;
  metrics: GatewayMetrics | undefined;
  /** CONTRACT_CLIENTS: the contract each client is served, for its contract's cost limit. */
  contractClients: ReadonlyMap<string, string>;
};

/**
 * The stages every request goes through, in order (pipeline/stage.ts): who is
 * calling, whether they may call now, and the client headers forwarded to
 * subgraphs (when PROPAGATE_HEADERS names any) before the body is read; then, per
 * operation, which document it names, whether it is within limits and may be
 * sent that way, whether the caller may introspect, whether it costs more
 * than the caller may spend (on the document as sent: before authorization
 * takes fields out, see cost-stage.ts), which fields they may see, and the
 * override labels it activates. A new policy is one line here.
 */
export async function stagesFor({ env, logger, db, apiKeys, redis, metrics, contractClients }: StageDeps): Promise<Stage[]> {
  const settings = env.gateway;
  const documents = settings.persistedDocuments;
  const trusted = documents.trustedDocuments ? await loadTrustedDocuments(documents.trustedDocuments) : undefined;
  const persisted = createPersistedDocuments({
    apq: documents.apq,
    apqCacheSize: documents.apqCacheSize,
    ...(redis ? { redis } : {}),
    redisPrefix: documents.redisPrefix,
    ...(trusted ? { trusted } : {}),
    defaultMode: documents.defaultMode,
    clientModes: parseClientModes(documents.clientModes),
    logger,
  });
  return [
    identifyStage({
      verifyJwt: await jwtVerifierFromEnv(env),
      verifyKey: apiKeys ?? (db ? createApiKeyVerifier(db, { cacheMs: settings.identify.apiKeyCacheMs }) : undefined),
    }),
    ...(settings.rateLimit
      ? [
          rateLimitStage({
            limiter: createRateLimiter({ ...(redis ? { redis } : {}), prefix: settings.rateLimit.redisPrefix, logger }),
            settings: settings.rateLimit,
            onLimited: metrics?.rateLimited,
          }),
        ]
      : []),
    // Before the body, once the caller may call at all: a header too long to forward is refused unread.
    ...(settings.propagateHeaders ? [propagateHeadersStage(settings.propagateHeaders)] : []),
    persistedDocumentsStage(persisted),
    limitsStage(createDocumentChecker(settings.limits)),
    methodStage(),
    introspectionStage(settings.introspection),
    costStage({
      settings: settings.cost,
      contractOf: (identity) => (identity?.client === undefined ? undefined : contractClients.get(identity.client)),
      onEstimated: metrics?.costEstimated,
      onActual: metrics?.costActual,
      onRefused: metrics?.costRefused,
    }),
    authorizationStage(),
    overrideLabelsStage(settings.overrideLabels),
  ];
}

/** Request headers pages may send beyond CORS_REQUEST_HEADERS, named by stages: the cost report's, and the override labels', when set. */
export function corsHeaders(env: Env): string[] {
  const header = env.gateway.overrideLabels.header;
  return [COST_HEADER, ...(header ? [header] : [])];
}
