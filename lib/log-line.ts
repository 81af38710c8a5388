/**
 * LOG_FORMAT=line: one short line per event, for a person at a terminal
 * (development's default there), from the JSON line pino writes:
 *
 *   14:03:12 INFO  gateway   200 12ms query TopProducts (requestId 0b7c…)
 *   14:03:12 WARN  accounts  database unavailable: not ready err="Error: connect ECONNREFUSED"
 *
 * A `request completed` line reads as status, duration, operation, error codes
 * and ids; any other event is its message and `key=value` pairs. Stacks go on
 * the lines after, indented, only for events at error level and above (a bug);
 * below that they are left out. JSON (LOG_FORMAT=json) keeps every field.
 */

type Sink = { write(text: string): unknown };
type LogRecord = Record<string, unknown>;

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '31' };
const ERROR_LEVEL = 50;
/** Wide enough for every Junction service's name (`inventory`). */
const SERVICE_WIDTH = 9;
/** Written by pino or shown in the line's own columns. */
const NOT_PAIRS = new Set(['level', 'time', 'pid', 'hostname', 'service', 'component', 'msg']);
const REQUEST_FIELDS = new Set(['requestId', 'traceId', 'spanId', 'operation', 'operationType', 'batchIndex', 'status', 'outcome', 'durationMs', 'errorCodes']);

/** A pino destination that writes each event as a line to `sink`; `colour` for a terminal's level colours. */
export function lineStream(sink: Sink, { colour = false }: { colour?: boolean } = {}): Sink {
  return {
    write(chunk: string) {
      let record: unknown;
      try {
        record = JSON.parse(chunk);
      } catch {
        return sink.write(chunk);
      }
      if (typeof record !== 'object' || record === null || Array.isArray(record)) return sink.write(chunk);
      return sink.write(formatLogLine(record as LogRecord, { colour }));
    },
  };
}

/** One event as its line (with a newline), and a bug's stack on the lines after. */
export function formatLogLine(record: LogRecord, { colour = false }: { colour?: boolean } = {}): string {
  const level = typeof record.level === 'number' ? record.level : 30;
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const stacks: string[] = [];
  const head = [
    typeof record.time === 'number' ? new Date(record.time).toTimeString().slice(0, 8) : '--:--:--',
    colour && COLOURS[level] ? `\u001b[${COLOURS[level]}m${name}\u001b[39m` : name,
    String(record.component ?? record.service ?? '').padEnd(SERVICE_WIDTH),
  ].join(' ');
  const body = isRequestLine(record) ? requestLine(record, stacks) : eventLine(record, stacks);
  const trailer = level >= ERROR_LEVEL ? stacks.flatMap((stack) => stack.split('\n')).map((line) => `    ${line.trim()}\n`) : [];
  return `${head} ${body}\n${trailer.join('')}`;
}

function isRequestLine(record: LogRecord): boolean {
  return record.msg === 'request completed' && typeof record.status === 'number';
}

/** `200 12ms query TopProducts DOWNSTREAM_SERVICE_ERROR (requestId …, traceId …)` */
function requestLine(record: LogRecord, stacks: string[]): string {
  const parts = [String(record.status)];
  if (typeof record.durationMs === 'number') parts.push(`${duration(record.durationMs)}ms`);
  if (typeof record.operationType === 'string') parts.push(record.operationType, typeof record.operation === 'string' ? record.operation : '(anonymous)');
  else if (typeof record.operation === 'string') parts.push(record.operation);
  if (typeof record.batchIndex === 'number') parts.push(`#${record.batchIndex}`);
  if (Array.isArray(record.errorCodes) && record.errorCodes.length > 0) parts.push(record.errorCodes.join(','));
  parts.push(...pairs(record, stacks, REQUEST_FIELDS));
  const ids = [
    ...(record.requestId === undefined ? [] : [`requestId ${String(record.requestId)}`]),
    ...(record.traceId === undefined ? [] : [`traceId ${String(record.traceId)}`]),
  ];
  if (ids.length > 0) parts.push(`(${ids.join(', ')})`);
  return parts.join(' ');
}

/** `message key=value key="a value"` */
function eventLine(record: LogRecord, stacks: string[]): string {
  return [typeof record.msg === 'string' ? record.msg : '', ...pairs(record, stacks)].filter(Boolean).join(' ');
}

function pairs(record: LogRecord, stacks: string[], skip?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (NOT_PAIRS.has(key) || skip?.has(key) || value === undefined) continue;
    out.push(`${key}=${rendered(key, value, stacks)}`);
  }
  return out;
}

function rendered(key: string, value: unknown, stacks: string[]): string {
  if (key === 'err' && isObject(value)) {
    collectStacks(value, stacks);
    return text(errorText(value));
  }
  if (key === 'errors' && Array.isArray(value) && value.every(isObject)) {
    // The request's errors line: code, path and message of each; the rest (extensions) is in the JSON format.
    for (const error of value) collectStacks(error, stacks);
    return text(value.map(graphqlErrorText).join('; '));
  }
  if (typeof value === 'string') return text(value);
  if (typeof value !== 'object' || value === null) return String(value);
  return JSON.stringify(withoutStacks(value, stacks));
}

/** A string as it is when it is one word, else quoted and escaped (so a newline cannot break the line). */
function text(value: string): string {
  return value.length > 0 && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
}

function errorText(error: Record<string, unknown>): string {
  const message = typeof error.message === 'string' ? error.message : '';
  return typeof error.type === 'string' ? `${error.type}: ${message}` : message;
}

function graphqlErrorText(error: Record<string, unknown>): string {
  const path = Array.isArray(error.path) ? ` at ${error.path.join('.')}` : '';
  const code = typeof error.code === 'string' ? error.code : 'ERROR';
  return `${code}${path}: ${typeof error.message === 'string' ? error.message : ''}`;
}

/** Stacks (pino's `stack`, Apollo's `stacktrace`) anywhere in `value`, kept for the lines after. */
function collectStacks(value: unknown, stacks: string[]): void {
  withoutStacks(value, stacks);
}

/** `value` without its stacks, which go to `stacks`. */
function withoutStacks(value: unknown, stacks: string[], depth = 0): unknown {
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => withoutStacks(item, stacks, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'stack' && typeof inner === 'string') stacks.push(inner);
    else if (key === 'stacktrace' && Array.isArray(inner)) stacks.push(inner.join('\n'));
    else out[key] = withoutStacks(inner, stacks, depth + 1);
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function duration(ms: number): string {
  return ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
}
