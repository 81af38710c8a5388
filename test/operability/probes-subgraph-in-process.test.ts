import { describe, expect, it } from 'vitest';
import { createLogger } from '#lib/logger.js';
import { serveSubgraph } from '#lib/subgraph/subgraph-server.js';
import { createSubgraph as createProducts } from '../../subgraphs/products/src/server.js';
import { createTestDatabase } from '../support/database.js';
import { OK, probe } from '../support/probes.js';
import { testEnv } from '../support/stack.js';

/**
 * What an orchestrator sees of a subgraph served in-process (products, by
 * serveSubgraph): GET /ready turns 503 once its database handle is closed,
 * while GET /health still answers it is alive.
 */
describe('a subgraph served in-process', () => {
  it('is not ready once its database handle is closed, on either database', async () => {
    const database = await createTestDatabase();
    const env = testEnv();
    const logger = createLogger(env, 'test');
    const served = await serveSubgraph(createProducts({ db: database.db, env, logger }), {
      logger,
      secret: env.GATEWAY_SECRET,
      db: database.db,
      production: env.production,
    });
    try {
      expect(await probe(served.url, '/ready')).toEqual(OK);
      await database.close();
      expect(await probe(served.url, '/ready')).toEqual({
        status: 503,
        body: { status: 'unavailable', reason: 'database unavailable' },
      });
      expect(await probe(served.url, '/health')).toEqual(OK);
    } finally {
      await served.stop();
    }
  });
});
