import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overrideLabelSettings, requestedLabels } from '#gateway/execution/override-labels.js';
import { startHarness, type Harness } from '../conformance/harness.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { post } from '../support/graphql.js';

/**
 * Progressive @override through `junction gateway` as an operator configures
 * it: `new` takes `price` from `old` behind the label `beta`
 * (test/conformance/shapes/overrides.ts). `old` answers -1 for prices it gave
 * up, so every answer shows which subgraph the plan used.
 */
let harness: Harness;
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  harness = await startHarness(['override-label']);
}, 120_000);

afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  await harness?.stop();
});

async function gatewayWith(env: Record<string, string>): Promise<string> {
  const gateway = await startGatewayProcess(harness.shapes['override-label']!.supergraphSdl, { RATE_LIMIT: 'false', ...env });
  gateways.push(gateway);
  return gateway.url;
}

const QUERY = '{ items { id price } }';
const OVERRIDDEN = { items: [{ id: 'i1', price: 30 }, { id: 'i2', price: 45 }, { id: 'i3', price: 5 }] };
const NOT_OVERRIDDEN = { items: [{ id: 'i1', price: -1 }, { id: 'i2', price: -1 }, { id: 'i3', price: -1 }] };

describe('override labels', () => {
  it('are inactive unless the configuration activates them', async () => {
    const url = await gatewayWith({});
    const result = await post(url, QUERY, {}, { 'x-override-labels': 'beta' });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(NOT_OVERRIDDEN);
  });

  it('OVERRIDE_LABEL_HEADER: active for the requests whose header names them, and only those (plans kept apart)', async () => {
    const url = await gatewayWith({ OVERRIDE_LABEL_HEADER: 'x-override-labels' });
    for (let round = 0; round < 2; round++) {
      expect((await post(url, QUERY, {}, { 'x-override-labels': 'alpha, beta' })).data).toEqual(OVERRIDDEN);
      expect((await post(url, QUERY)).data).toEqual(NOT_OVERRIDDEN);
      expect((await post(url, QUERY, {}, { 'x-override-labels': 'alpha' })).data).toEqual(NOT_OVERRIDDEN);
    }
  });

  it('OVERRIDE_LABELS: active on every request', async () => {
    const url = await gatewayWith({ OVERRIDE_LABELS: 'beta' });
    expect((await post(url, QUERY)).data).toEqual(OVERRIDDEN);
  });

  it('OVERRIDE_LABEL_CLIENTS: active for the requests of the clients named', () => {
    const settings = overrideLabelSettings({ OVERRIDE_LABEL_CLIENTS: ['ios=beta|gamma'] });
    const ios = { client: 'ios' } as Parameters<typeof requestedLabels>[1];
    const web = { client: 'web' } as Parameters<typeof requestedLabels>[1];
    expect([...(requestedLabels(settings, ios, {}) ?? [])]).toEqual(['beta', 'gamma']);
    expect(requestedLabels(settings, web, {})).toBeUndefined();
    expect(requestedLabels(settings, null, {})).toBeUndefined();
  });
});
