/** What a takedown worker needs from tracing: interceptors, and the sink workflow spans leave by. */
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  makeWorkflowExporter,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { Tracing } from './tracing';

/**
 * Workflow interceptor modules to bundle with the workflows of a traced worker. Only a traced one:
 * the bundle evaluates its modules for every workflow, and OpenTelemetry's cost a third of the
 * worker's CPU per takedown (bench/analysis.md). A bundle made without them replays with them and
 * the other way round (they add headers, no commands).
 */
export const WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = [require.resolve('./workflow-interceptors')];

export interface TracingWorkerOptions {
  /** Activity interceptors: a span per attempt, linked to the workflow's; trace ids in activity logs. */
  interceptors: Pick<WorkerInterceptors, 'activity'>;
  sinks: InjectedSinks<OpenTelemetrySinks>;
}

/**
 * Interceptors and sinks for every worker of a takedown deployment. Without tracing, workflow
 * spans (from a bundle made with the interceptors) are dropped by a sink that does nothing, rather
 * than logged as calls to a missing sink.
 */
export function tracingWorkerOptions(tracing: Tracing | undefined): TracingWorkerOptions {
  if (!tracing) return { interceptors: {}, sinks: { exporter: { export: { fn: () => undefined } } } };
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
