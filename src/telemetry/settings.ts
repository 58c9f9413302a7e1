/**
 * When tracing is on, read from the standard OpenTelemetry variables: it is on when an OTLP
 * endpoint is set, off otherwise. Only what this worker ships is accepted (OTLP over
 * http/protobuf); anything else stops the worker at start with a line naming the variable.
 */

/** A tracing variable that cannot be honoured. */
export class TracingConfigError extends Error {
  override readonly name = 'TracingConfigError';
  readonly code = 'TAKEDOWN_TRACING_CONFIG';
  constructor(readonly problems: string[]) {
    super(`invalid tracing configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The only OTLP protocol this worker exports with. */
export const OTLP_PROTOCOL = 'http/protobuf';

/** Tracing as the environment asks for it. */
export interface TracingSettings {
  /** Which variable named the endpoint. */
  endpointVariable: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_EXPORTER_OTLP_ENDPOINT';
  /** Where spans are posted: the traces endpoint as given, or `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`. */
  url: string;
  /** `service.name` unless `OTEL_SERVICE_NAME` or `OTEL_RESOURCE_ATTRIBUTES` set one. @default 'takedown-worker' */
  serviceName: string;
}

/** Default `service.name` of the worker's spans. */
export const DEFAULT_SERVICE_NAME = 'takedown-worker';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the tracing variables. Returns `undefined` when tracing is off: no endpoint, or
 * `OTEL_SDK_DISABLED=true`, or `OTEL_TRACES_EXPORTER=none`.
 *
 * @throws {@link TracingConfigError} when an endpoint is not an http(s) URL, or a protocol or
 *   exporter other than OTLP over http/protobuf is asked for. Endpoint values are never echoed:
 *   they may carry credentials.
 */
export function tracingSettingsFromEnv(env: Env, serviceName = DEFAULT_SERVICE_NAME): TracingSettings | undefined {
  if (value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return undefined;
  const exporter = value(env, 'OTEL_TRACES_EXPORTER');
  if (exporter === 'none') return undefined;
  const endpointVariable = value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
    ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
    : value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT')
      ? 'OTEL_EXPORTER_OTLP_ENDPOINT'
      : undefined;
  if (endpointVariable === undefined) return undefined;

  const problems: string[] = [];
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'] as const) {
    const endpoint = value(env, name);
    if (endpoint !== undefined && !isHttpUrl(endpoint)) problems.push(`${name} must be an http(s) URL such as http://otel-collector:4318`);
  }
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'] as const) {
    const protocol = value(env, name);
    if (protocol !== undefined && protocol !== OTLP_PROTOCOL) {
      problems.push(`${name} is ${JSON.stringify(protocol)}: this worker exports traces over ${OTLP_PROTOCOL} only`);
    }
  }
  if (exporter !== undefined && exporter !== 'otlp') {
    problems.push(`OTEL_TRACES_EXPORTER is ${JSON.stringify(exporter)}: this worker exports traces with otlp only (or none)`);
  }
  if (problems.length) throw new TracingConfigError(problems);
  const url =
    endpointVariable === 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
      ? value(env, endpointVariable)!
      : `${value(env, endpointVariable)!.replace(/\/+$/, '')}/v1/traces`;
  return { endpointVariable, url, serviceName };
}

/** A set, non-blank variable, trimmed. */
function value(env: Env, name: string): string | undefined {
  const text = env[name]?.trim();
  return text ? text : undefined;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
