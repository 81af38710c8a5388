import { describe, expect, it } from 'vitest';
import { PRODUCTION_SECRET } from '../support/gateway-process.js';
import { run } from '../support/processes.js';

/**
 * CORS settings a production `junction gateway` refuses at boot, each problem
 * named (the answers of a gateway that started are test/security/cors.test.ts).
 */
describe('settings checked at boot', () => {
  it('refuses credentials with any origin, and lists every other problem with it', async () => {
    const gateway = run('node', ['bin/junction.js', 'gateway', '--supergraph', 'supergraph.graphql', '--port', '0'], {
      NODE_ENV: 'production',
      GATEWAY_SECRET: PRODUCTION_SECRET,
      CORS_ORIGINS: '*',
      CORS_CREDENTIALS: 'true',
      CORS_MAX_AGE: 'ten minutes',
    });
    expect(await gateway.exited).toBe(1);
    expect(gateway.output()).toBe(
      'Invalid environment:\n' +
        '  CORS_MAX_AGE: Invalid input: expected number, received NaN\n' +
        '  CORS_CREDENTIALS: cannot be true with CORS_ORIGINS="*": browsers refuse credentials from any origin; list the origins instead\n',
    );
  });

  it('names each entry of CORS_ORIGINS that is not an origin or a pattern', async () => {
    const gateway = run('node', ['bin/junction.js', 'gateway', '--supergraph', 'supergraph.graphql', '--port', '0'], {
      NODE_ENV: 'production',
      GATEWAY_SECRET: PRODUCTION_SECRET,
      CORS_ORIGINS: 'https://app.example.com/, *.com, https://a.*.example.com, ftp://example.com, https://ok.example.com',
    });
    expect(await gateway.exited).toBe(1);
    expect(gateway.output()).toBe(
      'Invalid environment:\n' +
        '  CORS_ORIGINS: "https://app.example.com/" is not an origin: write scheme://host[:port], without a path or a trailing slash\n' +
        '  CORS_ORIGINS: "*.com" would allow every site under ".com": name a domain, e.g. "*.example.com"\n' +
        '  CORS_ORIGINS: "https://a.*.example.com" has a "*" where a pattern cannot: only "*.domain" as the host, and ":*" as the port\n' +
        '  CORS_ORIGINS: "ftp://example.com" is not an http or https origin\n',
    );
  });
});
