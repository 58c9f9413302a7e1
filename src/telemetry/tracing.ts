/**
 * Process-wide tracing: one OpenTelemetry tracer provider, W3C trace context propagation, and the
 * undici instrumentation that gives every provider request its own span. Temporal's interceptors
 * (client, workflow, activity) put the takedown around those requests, so one takedown is one
 * trace: StartWorkflow → RunWorkflow → StartActivity/RunActivity per step → the HTTP request.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation, type UndiciRequest } from '@opentelemetry/instrumentation-undici';
import { Resource, envDetectorSync } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { redactRequestUrl } from './redaction';
import { DEFAULT_SERVICE_NAME, tracingSettingsFromEnv } from './settings';
import { AttributeCheckingSpanProcessor } from './spans';

export interface InstallTracingOptions {
  /** Where finished spans go (tests pass a `SimpleSpanProcessor` over an in-memory exporter). */
  spanProcessor: SpanProcessor;
  /** `service.name`; `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` still override it. @default 'takedown-worker' */
  serviceName?: string;
}

/** Tracing installed in this process. */
export interface Tracing {
  readonly resource: Resource;
  /** Every span, the workflow spans from the sink included, ends here (attribute values checked). */
  readonly spanProcessor: SpanProcessor;
  /** Sends spans still buffered. */
  forceFlush(): Promise<void>;
  /** Flushes, then removes the provider, the propagator and the undici instrumentation. Idempotent. */
  shutdown(): Promise<void>;
}

/** Tracing already installed in this process and not shut down: there is one global provider. */
export class TracingAlreadyInstalledError extends Error {
  override readonly name = 'TracingAlreadyInstalledError';
  readonly code = 'TAKEDOWN_TRACING_INSTALLED';
  constructor() {
    super('tracing is already installed in this process; shut it down before installing it again');
  }
}

let installed: Tracing | undefined;

/**
 * Registers the global tracer provider, context manager and W3C propagator, and turns on the undici
 * instrumentation (requests made outside a traced operation get no span; URLs are redacted with
 * {@link redactRequestUrl} before the span starts).
 *
 * @throws {@link TracingAlreadyInstalledError} when called twice without `shutdown()` between.
 */
export function installTracing(options: InstallTracingOptions): Tracing {
  if (installed) throw new TracingAlreadyInstalledError();
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': options.serviceName ?? DEFAULT_SERVICE_NAME }))
    .merge(envDetectorSync.detect());
  const spanProcessor = new AttributeCheckingSpanProcessor(options.spanProcessor);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const disableInstrumentations = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new UndiciInstrumentation({
        requireParentforSpans: true,
        // Runs before the span starts, and its attributes replace the instrumentation's own.
        startSpanHook: (request: UndiciRequest) => ({ ...redactRequestUrl(request.origin, request.path) }),
      }),
    ],
  });

  let stopping: Promise<void> | undefined;
  const tracing: Tracing = {
    resource,
    spanProcessor,
    forceFlush: () => provider.forceFlush(),
    shutdown() {
      stopping ??= (async () => {
        disableInstrumentations();
        try {
          await provider.shutdown();
        } finally {
          trace.disable();
          propagation.disable();
          context.disable();
          if (installed === tracing) installed = undefined;
        }
      })();
      return stopping;
    },
  };
  installed = tracing;
  return tracing;
}

/**
 * Tracing as the environment asks for it (see {@link tracingSettingsFromEnv}): spans batched and
 * exported over OTLP http/protobuf to the configured endpoint; the exporter reads headers,
 * timeout and compression from the standard `OTEL_EXPORTER_OTLP_*` variables of `process.env`. Off (`undefined`) when no OTLP endpoint is set.
 *
 * @throws {@link TracingConfigError} for a variable it cannot honour.
 */
export function installTracingFromEnv(env: Readonly<Record<string, string | undefined>> = process.env, serviceName?: string): Tracing | undefined {
  const settings = tracingSettingsFromEnv(env, serviceName);
  if (!settings) return undefined;
  const exporter = new OTLPTraceExporter({ url: settings.url });
  return installTracing({ spanProcessor: new BatchSpanProcessor(exporter), serviceName: settings.serviceName });
}
