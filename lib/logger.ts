import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { destination as fileDestination, pino, stdSerializers, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import type { Env } from './env.js';
import { lineStream } from './log-line.js';

export type { Logger };

export type LogFormat = NonNullable<Env['LOG_FORMAT']>;

/**
 * LOG_FORMAT, or its default: one short line per event (`line`) in development
 * at a terminal, where a person reads them; JSON lines anywhere else (production,
 * tests, output piped or collected), so a log pipeline reads every field.
 */
export function logFormat(env: Pick<Env, 'LOG_FORMAT' | 'NODE_ENV'>, toTerminal: boolean): LogFormat {
  return env.LOG_FORMAT ?? (env.NODE_ENV === 'development' && toTerminal ? 'line' : 'json');
}

/** One logger per process, tagged with the service that writes, in the format `logFormat` picks. */
export function createLogger(
  env: Pick<Env, 'LOG_LEVEL' | 'LOG_FORMAT' | 'NODE_ENV'>,
  service: string,
  /** Where lines go: standard output unless a test captures them. */
  destination?: NodeJS.WritableStream,
): Logger {
  const options: LoggerOptions = { level: env.LOG_LEVEL, base: { service }, mixin: traceFields };
  const toTerminal = !destination && process.stdout.isTTY === true;
  const format = logFormat(env, toTerminal);
  if (format === 'json') return destination ? pino(options, destination) : pino(options);
  if (format === 'line') {
    // Written as it comes, in this thread: lines keep their order with console output and none is lost at exit.
    return pino(options, lineStream(destination ?? fileDestination({ dest: 1, sync: true }), { colour: toTerminal }));
  }
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
