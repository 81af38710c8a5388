import { describe, expect, it } from 'vitest';
import { parseEnv } from '#lib/env.js';
import { createLogger } from '#lib/logger.js';
import { createGateway } from '#gateway/server.js';
import { composeSubscriptionSupergraph } from '../../support/subscriptions.js';

/** SUBSCRIPTION_TRANSPORTS: `<subgraph>:ws|sse[=<url>]` entries, parsed once at boot with every problem listed. */
function parsed(value: string) {
  return parseEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SUBSCRIPTION_TRANSPORTS: value });
}

describe('SUBSCRIPTION_TRANSPORTS', () => {
  it('gives each subgraph named its protocol and, when given, its URL; the others get graphql-ws at their routing URL', () => {
    const result = parsed('reviews:sse=http://reviews:4002/graphql/stream, inventory:ws=wss://inventory.internal/ws ,products:ws');
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect([...result.env.gateway.subscriptionTransports]).toEqual([
      ['reviews', { protocol: 'sse', url: 'http://reviews:4002/graphql/stream' }],
      ['inventory', { protocol: 'ws', url: 'wss://inventory.internal/ws' }],
      ['products', { protocol: 'ws' }],
    ]);
    const unset = parseEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    expect(unset.ok && unset.env.gateway.subscriptionTransports.size).toBe(0);
  });

  it('lists every entry that is wrong', () => {
    const result = parsed('reviews:grpc,products:sse=ws://products/graphql,inventory:ws=not a url,reviews:ws,accounts:ws,accounts:sse');
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems.join('\n');
    expect(problems).toContain('"reviews:grpc" is not <subgraph>:ws|sse[=<url>]');
    expect(problems).toContain('"products:sse=ws://products/graphql": the URL must be an http(s):// URL');
    expect(problems).toContain('"inventory:ws=not a url": the URL must be a ws(s):// or http(s):// URL');
    expect(problems).toContain('subgraph "accounts" is given a subscription transport twice');
  });

  it('refuses at boot a subgraph the supergraph does not have', async () => {
    const result = parsed('reveiws:sse');
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const supergraphSdl = await composeSubscriptionSupergraph({ reviews: 'http://reviews.internal/graphql', products: 'http://products.internal/graphql' });
    await expect(createGateway({ supergraphSdl, env: result.env, logger: createLogger(result.env, 'test') })).rejects.toThrow(
      /^SUBSCRIPTION_TRANSPORTS names "reveiws", which the supergraph does not have \(it has "(reviews|products)", "(reviews|products)"\)\.$/,
    );
  });
});
