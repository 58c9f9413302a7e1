/** Tracing for takedowns: OpenTelemetry over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. */
export { REDACTED, redactRequestUrl, type RedactedUrl } from './redaction';
export { DEFAULT_SERVICE_NAME, OTLP_PROTOCOL, TracingConfigError, tracingSettingsFromEnv, type TracingSettings } from './settings';
export { AttributeCheckingSpanProcessor } from './spans';
export { TracingAlreadyInstalledError, installTracing, installTracingFromEnv, type InstallTracingOptions, type Tracing } from './tracing';
export { WORKFLOW_INTERCEPTOR_MODULES, tracingWorkerOptions, type TracingWorkerOptions } from './worker-options';
