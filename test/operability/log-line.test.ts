import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { OperationTypeNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createOutcomeRecorder } from '#gateway/pipeline/outcome.js';
import { formatLogLine } from '#lib/log-line.js';
import { createLogger, logFormat } from '#lib/logger.js';
import { testEnv } from '../support/stack.js';

/**
 * LOG_FORMAT=line, development's default at a terminal: one short line per
 * event instead of pino-pretty's block of lines, written by a real pino
 * logger; a bug's stack on the lines after, nobody else's.
 */

/** A logger in the given format writing to a string, as `createLogger` makes it for the process. */
function capture(service: string, overrides: Record<string, string> = {}) {
  let written = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      done();
    },
  });
  const logger = createLogger(testEnv({ LOG_LEVEL: 'debug', LOG_FORMAT: 'line', ...overrides }), service, stream);
  return {
    logger,
    /** The lines written, each with its time checked and cut off (it is the time of day). */
    lines(): string[] {
      const lines = written.split('\n').slice(0, -1);
      for (const line of lines.filter((text) => !text.startsWith('    '))) expect(line).toMatch(/^\d\d:\d\d:\d\d /);
      return lines.map((line) => (line.startsWith('    ') ? line : line.slice(9)));
    },
  };
}

describe('LOG_FORMAT=line', () => {
  it('writes a request as status, duration, operation and request id on one line', () => {
    const { logger, lines } = capture('gateway');
    const recordOutcome = createOutcomeRecorder({ logger, logRequests: true, metrics: undefined });
    const req = { headers: {} } as unknown as IncomingMessage;
    const started = performance.now() - 12;
    recordOutcome(req, 'r-1', { status: 200, body: { data: {} }, operationName: 'TopProducts', operationType: OperationTypeNode.QUERY }, started);
    recordOutcome(
      req,
      'r-2',
      { status: 200, body: { errors: [{ message: 'x', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' } }] }, operationName: 'Shelves', operationType: OperationTypeNode.QUERY },
      started,
    );
    recordOutcome(req, 'r-3', { status: 400, body: { errors: [{ message: 'x', extensions: { code: 'BAD_REQUEST' } }] } }, started);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    recordOutcome({ headers: { traceparent } } as unknown as IncomingMessage, 'r-4', { status: 200, body: {}, operationType: OperationTypeNode.MUTATION }, started);
    recordOutcome(req, 'r-5', [{ status: 200, body: {}, operationName: 'A', operationType: OperationTypeNode.QUERY }, { status: 200, body: {}, operationName: 'B', operationType: OperationTypeNode.QUERY }], started);

    // Durations vary on a slow machine: at least 12 ms (the next test fixes their format).
    const shown = lines().map((line) => line.replace(/ (\d+)ms /, (_, ms: string) => (Number(ms) >= 12 ? ' 12ms ' : ` ${ms}ms `)));
    expect(shown).toEqual([
      'INFO  gateway   200 12ms query TopProducts (requestId r-1)',
      'INFO  gateway   200 12ms query Shelves DOWNSTREAM_SERVICE_ERROR (requestId r-2)',
      'INFO  gateway   400 12ms BAD_REQUEST (requestId r-3)',
      'INFO  gateway   200 12ms mutation (anonymous) (requestId r-4, traceId 4bf92f3577b34da6a3ce929d0e0e4736)',
      'INFO  gateway   200 12ms query A #0 (requestId r-5)',
      'INFO  gateway   200 12ms query B #1 (requestId r-5)',
    ]);
  });

  it('rounds durations to the millisecond, to a tenth under 10 ms', () => {
    const line = (durationMs: number) => formatLogLine({ level: 30, service: 'gateway', msg: 'request completed', status: 200, durationMs });
    expect([line(12.41), line(0.84), line(1234.5)].map((text) => text.slice(9))).toEqual([
      'INFO  gateway   200 12ms\n',
      'INFO  gateway   200 0.8ms\n',
      'INFO  gateway   200 1235ms\n',
    ]);
  });

  it('writes any other event as its message and key=value pairs, quoting what is not one word', () => {
    const { logger, lines } = capture('gateway');
    logger.info({ url: 'http://127.0.0.1:4000/graphql', workers: 1, contracts: ['partner'] }, 'gateway ready');
    logger.warn({ reason: 'shutting down\nnow', ready: false, detail: { subgraph: 'accounts', attempts: 2 } }, 'not ready');
    logger.child({ component: 'inventory' }).info({ applied: 3 }, 'migrations applied');
    logger.debug('no fields');
    expect(lines()).toEqual([
      'INFO  gateway   gateway ready url=http://127.0.0.1:4000/graphql workers=1 contracts=["partner"]',
      'WARN  gateway   not ready reason="shutting down\\nnow" ready=false detail={"subgraph":"accounts","attempts":2}',
      'INFO  inventory migrations applied applied=3',
      'DEBUG gateway   no fields',
    ]);
  });

  it("adds an error's stack on the lines after only at error level, where it is a bug", () => {
    const { logger, lines } = capture('accounts');
    const outage = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    logger.warn({ err: outage }, 'database unavailable: not ready');
    const bug = new TypeError('Cannot read properties of undefined');
    bug.stack = 'TypeError: Cannot read properties of undefined\n    at price (subgraphs/products/src/resolvers/Product.ts:12:5)';
    logger.error({ err: bug, requestId: 'r-9' }, 'unexpected error');
    expect(lines()).toEqual([
      'WARN  accounts  database unavailable: not ready err="Error: connect ECONNREFUSED 127.0.0.1:5432"',
      'ERROR accounts  unexpected error err="TypeError: Cannot read properties of undefined" requestId=r-9',
      '    TypeError: Cannot read properties of undefined',
      '    at price (subgraphs/products/src/resolvers/Product.ts:12:5)',
    ]);
  });

  it("writes a request's errors as code, path and message, and a subgraph bug's stack after them", () => {
    const { logger, lines } = capture('gateway');
    const userError = { path: ['products'], code: 'BAD_USER_INPUT', message: 'first must be between 1 and 100; got 1000.', extensions: { code: 'BAD_USER_INPUT', field: 'first' } };
    logger.debug({ requestId: 'r-1', count: 1, errors: [userError] }, 'request errors');
    const bug = { code: 'INTERNAL_SERVER_ERROR', message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['Error: boom', '    at find (/srv/shelf.js:4:2)'] } };
    logger.error({ requestId: 'r-2', count: 2, errors: [userError, bug] }, 'request errors');
    expect(lines()).toEqual([
      'DEBUG gateway   request errors requestId=r-1 count=1 errors="BAD_USER_INPUT at products: first must be between 1 and 100; got 1000."',
      'ERROR gateway   request errors requestId=r-2 count=2 errors="BAD_USER_INPUT at products: first must be between 1 and 100; got 1000.; INTERNAL_SERVER_ERROR: boom"',
      '    Error: boom',
      '    at find (/srv/shelf.js:4:2)',
    ]);
  });

  it('colours the level only at a terminal', () => {
    const { logger, lines } = capture('gateway');
    logger.error('to a file');
    expect(lines()).toEqual(['ERROR gateway   to a file']);
    const time = new Date(2026, 0, 2, 14, 3, 12).getTime();
    expect(formatLogLine({ level: 50, time, service: 'gateway', msg: 'at a terminal' }, { colour: true })).toBe(
      '14:03:12 \u001b[31mERROR\u001b[39m gateway   at a terminal\n',
    );
  });
});

describe('the default format', () => {
  it('is line in development at a terminal, JSON anywhere else, and LOG_FORMAT when set', () => {
    const development = testEnv({ NODE_ENV: 'development' });
    const production = testEnv({ NODE_ENV: 'production', GATEWAY_SECRET: 'x'.repeat(32) });
    expect(logFormat(development, true)).toBe('line');
    expect(logFormat(development, false)).toBe('json');
    expect(logFormat(production, true)).toBe('json');
    expect(logFormat(testEnv(), true)).toBe('json');
    expect(logFormat(testEnv({ NODE_ENV: 'development', LOG_FORMAT: 'json' }), true)).toBe('json');
    expect(logFormat(testEnv({ NODE_ENV: 'development', LOG_FORMAT: 'pretty' }), true)).toBe('pretty');
    expect(logFormat(testEnv({ NODE_ENV: 'production', GATEWAY_SECRET: 'x'.repeat(32), LOG_FORMAT: 'line' }), false)).toBe('line');
  });

  it('refuses a format it does not know', () => {
    expect(() => testEnv({ LOG_FORMAT: 'yaml' })).toThrow(/LOG_FORMAT/);
  });
});
