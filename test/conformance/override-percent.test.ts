import { expect, it } from 'vitest';
import { answerOf } from './harness.js';
import { describeShapes } from './suite.js';

/** The conformance suite on the override-percent shape (shapes/overrides.ts): Junction's executor against stock @apollo/gateway. */
describeShapes(['override-percent'], [], (started) => {
  // Each request draws `percent(50)` on its own: in 24 requests, both answers show (all alike: 1 in 8 million).
  it('draws the progressive override per request, both ways', async () => {
    const shape = started('override-percent');
    const operation = { query: '{ items { price inStock } }' };
    const [on, off] = [await answerOf(shape, shape.stock.on!, operation), await answerOf(shape, shape.stock.off!, operation)];
    expect(on.data).not.toBe(off.data);
    const seen = new Set<string | undefined>();
    for (let request = 0; request < 24; request += 1) seen.add((await answerOf(shape, shape.junction, operation)).data);
    expect([...seen].sort()).toEqual([on.data, off.data].sort());
  });
});
