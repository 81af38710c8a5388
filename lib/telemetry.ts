import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { Env } from './env.js';

/**
 * OpenTelemetry traces, off unless configured. Off, nothing is registered
 * (the API's no-op stays) and every helper here returns at its first line:
 * no span, no context switch, no header. On, each process has one tracer
 * provider exporting over OTLP (or to the console), and W3C `traceparent`
 * carries the trace from the gateway to the subgraphs.
 */
export type Telemetry = {
  /** Exports the spans still buffered, then stops tracing. Call after the servers have closed. */
  shutdown(): Promise<void>;
};

export type TelemetryEnv = Pick<
  Env,
  | 'OTEL_SDK_DISABLED'
  | 'OTEL_TRACES_EXPORTER'
  | 'OTEL_EXPORTER_OTLP_ENDPOINT'
  | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
  | 'OTEL_SERVICE_NAME'
  | 'OTEL_TRACES_SAMPLER'
  | 'OTEL_TRACES_SAMPLER_ARG'
>;

/** Set while tracing is on: the one flag every hot path checks. */
let tracer: Tracer | undefined;

const OFF: Telemetry = { shutdown: async () => {} };

/**
 * Where spans go, from the standard variables: the exporters OTEL_TRACES_EXPORTER
 * names, or OTLP when only an endpoint is given. Empty means off, which is the
 * default: unlike the spec's "otlp", an unconfigured Junction sends nothing anywhere.
 */
export function traceExporters(env: TelemetryEnv): ('otlp' | 'console')[] {
  if (env.OTEL_SDK_DISABLED) return [];
  const named = env.OTEL_TRACES_EXPORTER;
  if (named) return named.includes('none') ? [] : [...new Set(named.filter((name) => name !== 'none'))];
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? ['otlp'] : [];
}

/**
 * Called once per process at boot, before serving. `service` names it
 * (`junction-<service>`) unless OTEL_SERVICE_NAME does. The SDK is only
 * loaded when tracing is on.
 */
export async function startTelemetry(env: TelemetryEnv, service: string): Promise<Telemetry> {
  const exporters = traceExporters(env);
  if (exporters.length === 0) return OFF;
  const sdk = await import('@opentelemetry/sdk-trace-node');
  const processors: SpanProcessor[] = [];
  if (exporters.includes('otlp')) {
    // Reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT and friends itself.
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processors.push(new sdk.BatchSpanProcessor(new OTLPTraceExporter()));
  }
  // Written as each span ends: the console is for watching a development server.
  if (exporters.includes('console')) processors.push(new sdk.SimpleSpanProcessor(new sdk.ConsoleSpanExporter()));
  return installTracing({
    service: env.OTEL_SERVICE_NAME ?? `junction-${service}`,
    processors,
    sampler: samplerOf(env, sdk),
  });
}

/**
 * The sampler the variables name, built from the values lib/env.ts checked (a
 * bad one stops the boot, rather than the SDK logging it nowhere and guessing).
 */
function samplerOf(env: TelemetryEnv, sdk: typeof import('@opentelemetry/sdk-trace-node')): Sampler {
  const ratio = new sdk.TraceIdRatioBasedSampler(env.OTEL_TRACES_SAMPLER_ARG);
  switch (env.OTEL_TRACES_SAMPLER) {
    case 'always_on':
      return new sdk.AlwaysOnSampler();
    case 'always_off':
      return new sdk.AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new sdk.ParentBasedSampler({ root: ratio });
  }
}

export type TracingOptions = {
  /** The resource's service.name. */
  service: string;
  processors: SpanProcessor[];
  /** Default: parent-based, always on. */
  sampler?: Sampler;
};

/**
 * Turns tracing on in this process with the given span processors: what
 * startTelemetry does once it knows them, and what tests call with an
 * in-memory exporter. One at a time; shutdown() turns it off again.
 */
export async function installTracing(options: TracingOptions): Promise<Telemetry> {
  if (tracer) throw new Error('Tracing is already on in this process.');
  const [sdk, { W3CTraceContextPropagator }, resources] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
  ]);
  // OTEL_RESOURCE_ATTRIBUTES (deployment.environment, k8s.pod.name…) adds to the resource and wins, as the spec has it.
  const resource = resources
    .resourceFromAttributes({ 'service.name': options.service })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new sdk.NodeTracerProvider({
    resource,
    spanProcessors: options.processors,
    ...(options.sampler ? { sampler: options.sampler } : {}),
  });
  // Trace context only, no baggage: a client's baggage is not forwarded to the subgraphs unread.
  // register() also installs the AsyncLocalStorage context manager, so spans follow awaits.
  provider.register({ propagator: new W3CTraceContextPropagator() });
  tracer = trace.getTracer('junction');
  return {
    async shutdown() {
      tracer = undefined;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/** Whether tracing is on in this process. */
export function tracing(): boolean {
  return tracer !== undefined;
}

/** The span of the work under way (the request's, in a handler); undefined when tracing is off. */
export function activeSpan(): Span | undefined {
  return tracer && trace.getActiveSpan();
}

/** The trace id of the work under way, for log lines; undefined when tracing is off. */
export function activeTraceId(): string | undefined {
  return tracer && trace.getActiveSpan()?.spanContext().traceId;
}

/**
 * Runs `serve` in a new SERVER span, the child of the trace the caller's
 * `traceparent` header names (a new trace without one). The caller ends the span.
 */
export function serveInSpan(
  headers: Record<string, string | string[] | undefined>,
  name: string,
  attributes: Attributes,
  serve: (span: Span) => void,
): void {
  if (!tracer) throw new Error('Tracing is off.');
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  context.with(trace.setSpan(parent, span), serve, undefined, span);
}

/**
 * A span under the active one, or undefined when tracing is off or nothing is
 * being traced: database statements of the probes, or of migrations at boot,
 * start no traces of their own.
 */
export function startChildSpan(name: string, attributes: Attributes, kind: SpanKind = SpanKind.INTERNAL): Span | undefined {
  if (!tracer) return undefined;
  const parent = context.active();
  if (!trace.getSpan(parent)) return undefined;
  return tracer.startSpan(name, { kind, attributes }, parent);
}

/** Runs `work` in a child span (see startChildSpan) that ends when it returns or throws. */
export function withChildSpan<T>(name: string, attributes: Attributes, work: (span: Span | undefined) => T): T {
  const span = startChildSpan(name, attributes);
  if (!span) return work(undefined);
  try {
    return context.with(trace.setSpan(context.active(), span), work, undefined, span);
  } catch (error) {
    markFailed(span, errorType(error));
    throw error;
  } finally {
    span.end();
  }
}

/**
 * The trace context of the work under way, to run later work in: a
 * subscription's events arrive long after its request, each traced under it.
 * Runs work as it is when tracing is off.
 */
export function keepTraceContext(): <T>(work: () => T) => T {
  if (!tracer) return (work) => work();
  const kept = context.active();
  return (work) => context.with(kept, work);
}

/** Runs `work` in a child span (see startChildSpan) that ends when its promise settles. */
export function withChildSpanAsync<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  const span = startChildSpan(name, attributes);
  if (!span) return work();
  return context.with(trace.setSpan(context.active(), span), work).then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      markFailed(span, errorType(error));
      span.end();
      throw error;
    },
  );
}

/** Adds the span's `traceparent` (and `tracestate`) to outgoing request headers. */
export function injectTraceHeaders(span: Span, headers: Record<string, string>): void {
  propagation.inject(trace.setSpan(context.active(), span), headers);
}

/**
 * Marks a span failed with a short, bounded kind (`error.type`): never an
 * error's message, which may quote an address, a SQL parameter or a token.
 */
export function markFailed(span: Span, kind: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.setAttribute('error.type', kind);
}

/** A thrown value's kind for `error.type`: a SQLSTATE or system code when it has one, else its class name. */
export function errorType(error: unknown): string {
  if (error instanceof Error) {
    const { code } = error as Error & { code?: unknown };
    return typeof code === 'string' ? code : error.name;
  }
  return '_OTHER';
}

const SQL_OPERATION = /^\s*(?:\/\*.*?\*\/\s*)?(\w+)/s;

/**
 * One SQL statement's CLIENT span, from sending to its answer: the
 * parameterized text only, never the parameter values. When tracing is off
 * (or no request is traced) it only runs the statement.
 */
export function traceStatement<T>(text: string, run: () => Promise<T>): Promise<T> {
  if (!tracer) return run();
  const operation = SQL_OPERATION.exec(text)?.[1]?.toUpperCase() ?? 'postgresql';
  const span = startChildSpan(
    operation,
    {
      'db.system.name': 'postgresql',
      // The name before semantic conventions 1.26, which many trace backends still key on.
      'db.system': 'postgresql',
      'db.operation.name': operation,
      'db.query.text': text,
    },
    SpanKind.CLIENT,
  );
  if (!span) return run();
  return run().then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      const code = errorType(error);
      if (/^[0-9A-Z]{5}$/.test(code)) span.setAttribute('db.response.status_code', code);
      markFailed(span, code);
      span.end();
      throw error;
    },
  );
}
