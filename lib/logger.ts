import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, stdSerializers, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import type { Env } from './env.js';

export type { Logger };

/**
 * One logger per process, tagged with the service that writes. JSON lines by
 * default, so a log pipeline reads every field; pretty in development at a
 * terminal, where a person reads them (LOG_FORMAT overrides either way).
 */
export function createLogger(
  env: Pick<Env, 'LOG_LEVEL' | 'LOG_FORMAT' | 'NODE_ENV'>,
  service: string,
  /** Where lines go: standard output unless a test captures them. */
  destination?: NodeJS.WritableStream,
): Logger {
  const options: LoggerOptions = { level: env.LOG_LEVEL, base: { service }, mixin: traceFields };
  const format = env.LOG_FORMAT ?? (env.NODE_ENV === 'development' && process.stdout.isTTY ? 'pretty' : 'json');
  if (format === 'json') return destination ? pino(options, destination) : pino(options);
  // In this thread, not a worker: lines keep their order with console output and none is lost at exit.
  return pino(
    options,
    pretty({
      destination: destination ?? 1,
      colorize: !destination && process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    }),
  );
}

/**
 * The trace a line was written in, when tracing is on (lib/telemetry.ts):
 * a log line leads to its trace, and a trace to its lines. Without a tracer
 * there is no active span, and this adds nothing.
 */
function traceFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return isSpanContextValid(span.spanContext()) ? { traceId, spanId } : {};
}

/**
 * An error as pino writes the `err` of a line (type, message, stack, cause),
 * for one nested deeper in a line, where pino leaves it to JSON.stringify,
 * which keeps neither message nor stack.
 */
export function serializedError(error: Error): Record<string, unknown> {
  return stdSerializers.err(error) as unknown as Record<string, unknown>;
}
