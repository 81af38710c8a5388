import { describe, expect, it } from 'vitest';
import { parseEnv } from '#lib/env.js';

/**
 * PROPAGATE_HEADERS as the environment gives it, through the one parser every
 * process runs at boot: the rules it makes, and every problem it lists.
 * test/gateway/header-propagation.test.ts runs them through real gateways.
 */
function propagation(value: string) {
  const parsed = parseEnv({ PROPAGATE_HEADERS: value });
  if (!parsed.ok) return { problems: parsed.problems };
  const settings = parsed.env.gateway.propagateHeaders;
  return settings && { all: settings.all, subgraphs: Object.fromEntries(settings.subgraphs) };
}

describe('PROPAGATE_HEADERS', () => {
  it('is off unless set, and off when it names nothing', () => {
    const parsed = parseEnv({});
    expect(parsed.ok && parsed.env.gateway.propagateHeaders).toBeUndefined();
    expect(propagation(' , ')).toBeUndefined();
  });

  it('takes headers for all subgraphs and per subgraph, renamed or not, names in lower case', () => {
    expect(propagation('Accept-Language, x-client > X-App-Client, reviews:x-tenant, products : x-tenant>x-products-tenant, products:x-region')).toEqual({
      all: [
        { from: 'accept-language', to: 'accept-language' },
        { from: 'x-client', to: 'x-app-client' },
      ],
      subgraphs: {
        reviews: [{ from: 'x-tenant', to: 'x-tenant' }],
        products: [
          { from: 'x-tenant', to: 'x-products-tenant' },
          { from: 'x-region', to: 'x-region' },
        ],
      },
    });
  });

  const credentials = ['authorization', 'Proxy-Authorization', 'cookie', 'set-cookie', 'x-api-key'];
  const hopByHop = ['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'proxy-anything'];
  const gatewaySets = ['host', 'content-length', 'content-type', 'content-encoding', 'accept', 'accept-encoding', 'x-request-id', 'traceparent', 'tracestate'];

  it.each(credentials)('never propagates the credential %s, for all or one subgraph, nor renames anything to it', (name) => {
    const lower = name.toLowerCase();
    const why = 'it is a credential: the gateway verifies the caller and sends subgraphs the identity signed in x-junction-gateway instead';
    expect(propagation(name)).toEqual({ problems: [`PROPAGATE_HEADERS: "${lower}" can never be propagated: ${why}`] });
    expect(propagation(`products:${name}>x-credential`)).toEqual({ problems: [`PROPAGATE_HEADERS: "${lower}" can never be propagated: ${why}`] });
    expect(propagation(`x-token>${name}`)).toEqual({ problems: [`PROPAGATE_HEADERS: "x-token>${name}": no header can be renamed to "${lower}": ${why}`] });
  });

  it('never propagates the gateway own identity header, nor renames anything to it', () => {
    const why = "it is the gateway's own signed identity token, which only the gateway may send";
    expect(propagation('x-junction-gateway')).toEqual({ problems: [`PROPAGATE_HEADERS: "x-junction-gateway" can never be propagated: ${why}`] });
    expect(propagation('x-forged>X-Junction-Gateway')).toEqual({
      problems: [`PROPAGATE_HEADERS: "x-forged>X-Junction-Gateway": no header can be renamed to "x-junction-gateway": ${why}`],
    });
  });

  it.each(hopByHop)('never propagates the hop-by-hop header %s', (name) => {
    const why = "it is hop-by-hop: it describes the client's connection to the gateway, not the request";
    expect(propagation(name)).toEqual({ problems: [`PROPAGATE_HEADERS: "${name}" can never be propagated: ${why}`] });
    expect(propagation(`x-a>${name}`)).toEqual({ problems: [`PROPAGATE_HEADERS: "x-a>${name}": no header can be renamed to "${name}": ${why}`] });
  });

  it.each(gatewaySets)('never propagates %s, which the gateway sets on its own request', (name) => {
    expect(propagation(name)).toEqual({ problems: [expect.stringMatching(new RegExp(`^PROPAGATE_HEADERS: "${name}" can never be propagated: it is set by the gateway on its own request to the subgraph`))] });
    expect(propagation(`reviews:x-a>${name}`)).toEqual({ problems: [expect.stringContaining(`no header can be renamed to "${name}"`)] });
  });

  it('lists every malformed entry, each with the syntax', () => {
    expect(propagation('reviews:, :x-tenant, a:b:c, x-a>x-b>x-c, x tenant, x-tenant>, rev iews:x-a, x_tenant')).toEqual({
      problems: [
        'PROPAGATE_HEADERS: "reviews:" is not [<subgraph>:]<header>[><new name>]',
        'PROPAGATE_HEADERS: ":x-tenant" is not [<subgraph>:]<header>[><new name>]',
        'PROPAGATE_HEADERS: "a:b:c" is not [<subgraph>:]<header>[><new name>]',
        'PROPAGATE_HEADERS: "x-a>x-b>x-c" is not [<subgraph>:]<header>[><new name>]',
        'PROPAGATE_HEADERS: "x tenant": "x tenant" is not a header name (letters, digits and dashes)',
        'PROPAGATE_HEADERS: "x-tenant>" is not [<subgraph>:]<header>[><new name>]',
        'PROPAGATE_HEADERS: "rev iews:x-a" is not [<subgraph>:]<header>[><new name>]',
        'PROPAGATE_HEADERS: "x_tenant": "x_tenant" is not a header name (letters, digits and dashes)',
      ],
    });
  });

  it('refuses sending a subgraph one name twice, from all and its own rules together', () => {
    expect(propagation('x-tenant, x-org>x-tenant, reviews:x-region, reviews:x-zone>x-region, products:x-tenant, people:x-tenant>x-people-tenant')).toEqual({
      problems: [
        'PROPAGATE_HEADERS: every subgraph would get "x-tenant" 2 times (from "x-tenant", "x-org")',
        'PROPAGATE_HEADERS: subgraph "reviews" would get "x-region" 2 times (from "x-region", "x-zone")',
        'PROPAGATE_HEADERS: subgraph "products" would get "x-tenant" 3 times (from "x-tenant", "x-org", "x-tenant")',
      ],
    });
    // One client header under two names is two headers.
    expect(propagation('x-tenant, x-tenant>x-org')).toEqual({
      all: [
        { from: 'x-tenant', to: 'x-tenant' },
        { from: 'x-tenant', to: 'x-org' },
      ],
      subgraphs: {},
    });
  });

  it('takes at most 64 entries', () => {
    const many = Array.from({ length: 65 }, (_, index) => `x-h${index}`).join(',');
    expect(propagation(many)).toEqual({ problems: ['PROPAGATE_HEADERS: at most 64 entries, not 65'] });
  });
});
