import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#lib/logger.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { post } from '../support/graphql.js';
import { startLibrary, type Library } from '../support/library.js';
import { testEnv } from '../support/stack.js';

/**
 * `junction gateway`'s log as an operator collects it: one JSON line per
 * operation answered, `request completed`, that ties the request id, the trace
 * id, the operation, the outcome and the duration together, and nothing of
 * what the caller sent.
 */
type Line = Record<string, unknown> & { msg: string };

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

let library: Library;
let gateway: GatewayProcess | undefined;

beforeAll(async () => {
  library = await startLibrary();
});
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});
afterAll(() => library?.stop());

function lines(process: GatewayProcess): Line[] {
  return process.running
    .output()
    .split('\n')
    .filter((text) => text.startsWith('{'))
    .map((text) => JSON.parse(text) as Line);
}

function completed(process: GatewayProcess, requestId: string): Line[] {
  return lines(process).filter((line) => line.msg === 'request completed' && line.requestId === requestId);
}

describe('the request log', () => {
  it('has one JSON line per operation: request id, trace id, operation, status, outcome, duration', async () => {
    gateway = await startGatewayProcess(library.supergraphSdl);
    const ok = await post(gateway.url, 'query Shelf { books { title } }', {}, { traceparent: TRACEPARENT });
    expect(ok.status).toBe(200);
    const requestId = ok.headers.get('x-request-id')!;

    await expect.poll(() => completed(gateway!, requestId).length).toBe(1);
    const [line] = completed(gateway, requestId);
    expect(line).toMatchObject({
      level: 30,
      service: 'gateway',
      requestId,
      traceId: TRACE_ID,
      operation: 'Shelf',
      operationType: 'query',
      status: 200,
      outcome: 'ok',
    });
    expect(line!.durationMs).toEqual(expect.any(Number));
    expect(line!.durationMs).toBeGreaterThan(0);
    expect(line).not.toHaveProperty('errorCodes');
  });

  it('names the outcome and the error codes of refused and failed operations, and never what was sent', async () => {
    gateway = await startGatewayProcess(library.supergraphSdl);
    const invalid = await post(gateway.url, 'query Lookup($code: String) { books { nope } }', { code: 'hunter2-secret-variable' });
    expect(invalid.status).toBe(400);
    library.shelf.mode = 'garbage';
    const partial = await post(gateway.url, 'query Shelves { books { title shelf } }');
    library.shelf.mode = 'ok';
    expect(partial.status).toBe(200);

    const invalidId = invalid.headers.get('x-request-id')!;
    const partialId = partial.headers.get('x-request-id')!;
    await expect.poll(() => completed(gateway!, partialId).length).toBe(1);
    expect(completed(gateway, invalidId)).toEqual([
      expect.objectContaining({ operation: 'Lookup', status: 400, outcome: 'refused', errorCodes: ['GRAPHQL_VALIDATION_FAILED'] }),
    ]);
    expect(completed(gateway, partialId)).toEqual([
      expect.objectContaining({ operation: 'Shelves', status: 200, outcome: 'errors', errorCodes: ['DOWNSTREAM_SERVICE_ERROR'] }),
    ]);
    // No query text, no variables: a log is no place for what callers send.
    expect(gateway.running.output()).not.toContain('hunter2-secret-variable');
    expect(gateway.running.output()).not.toContain('books { nope }');
  });

  it('writes a line for a request refused before its document is read, without an operation', async () => {
    gateway = await startGatewayProcess(library.supergraphSdl);
    const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    expect(response.status).toBe(400);
    const requestId = response.headers.get('x-request-id')!;
    await expect.poll(() => completed(gateway!, requestId)).toEqual([
      expect.objectContaining({ operation: null, status: 400, outcome: 'refused' }),
    ]);
  });

  it('is off with LOG_REQUESTS=false', async () => {
    gateway = await startGatewayProcess(library.supergraphSdl, { LOG_REQUESTS: 'false' });
    const ok = await post(gateway.url, '{ books { title } }');
    expect(ok.status).toBe(200);
    // The shutdown lines come after anything the request wrote.
    await gateway.stop();
    expect(lines(gateway).some((line) => line.msg === 'gateway ready')).toBe(true);
    expect(lines(gateway).filter((line) => line.msg === 'request completed')).toEqual([]);
    gateway = undefined;
  });
});

describe('the logger', () => {
  /** What a logger made by createLogger writes, from the env given. */
  function capture(overrides: Record<string, string>) {
    let written = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    return { logger: createLogger(testEnv({ LOG_LEVEL: 'info', ...overrides }), 'test', stream), written: () => written };
  }

  it('writes JSON lines unless told otherwise, and pino-pretty text with LOG_FORMAT=pretty', () => {
    const json = capture({});
    json.logger.info({ requestId: 'r-1' }, 'hello');
    expect(JSON.parse(json.written())).toMatchObject({ level: 30, service: 'test', requestId: 'r-1', msg: 'hello' });

    const pretty = capture({ LOG_FORMAT: 'pretty' });
    pretty.logger.info({ requestId: 'r-2' }, 'hello');
    expect(pretty.written()).toMatch(/INFO.*hello/);
    expect(pretty.written()).toContain('requestId: "r-2"');
    expect(() => JSON.parse(pretty.written())).toThrow();
  });

  it('takes its level from the environment: debug in development, info in production, silent in tests', () => {
    expect(testEnv({ NODE_ENV: 'development', LOG_LEVEL: '' }).LOG_LEVEL).toBe('debug');
    expect(testEnv({ NODE_ENV: 'production', GATEWAY_SECRET: 'x'.repeat(32), LOG_LEVEL: '' }).LOG_LEVEL).toBe('info');
    expect(testEnv({ LOG_LEVEL: '' }).LOG_LEVEL).toBe('silent');
    expect(testEnv({ NODE_ENV: 'production', GATEWAY_SECRET: 'x'.repeat(32), LOG_LEVEL: 'warn' }).LOG_LEVEL).toBe('warn');
  });
});
