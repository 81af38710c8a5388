import { pino, type Logger } from 'pino';
import type { Env } from './env.js';

export type { Logger };

/** One JSON logger per process, tagged with the service that writes. */
export function createLogger(env: Pick<Env, 'LOG_LEVEL'>, service: string): Logger {
  return pino({ level: env.LOG_LEVEL, base: { service } });
}
