/**
 * Workflow interceptor module (runs inside the workflow sandbox; bundled through
 * {@link WORKFLOW_INTERCEPTOR_MODULES}). Takedowns and every other workflow get OpenTelemetry's
 * workflow interceptors; provider pacers do not: they live for up to 1,000 reservations, none of
 * which carries a takedown's trace context, so their spans would only be one long unrelated trace
 * per queue. The choice depends on the workflow type alone, so replay decides it the same way.
 */
import { workflowInfo, type WorkflowInterceptors } from '@temporalio/workflow';
import { interceptors as openTelemetryInterceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';
import { PROVIDER_PACER_WORKFLOW_TYPE } from '../workflows/pacer';

/** Workflow types left untraced. */
export const UNTRACED_WORKFLOW_TYPES: readonly string[] = [PROVIDER_PACER_WORKFLOW_TYPE];

export const interceptors = (): WorkflowInterceptors =>
  UNTRACED_WORKFLOW_TYPES.includes(workflowInfo().workflowType) ? {} : openTelemetryInterceptors();
