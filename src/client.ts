/**
 * Starting takedowns from classifier code. Duplicate triggers for the same stream join the running
 * takedown (`USE_EXISTING`) instead of racing it.
 */
import { createHash } from 'node:crypto';
import type { Client, ClientInterceptors, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
// Internal to the SDK (pinned at 1.24.0): the only way to set a start's request id and conflict options.
import { InternalWorkflowStartOptionsSymbol } from '@temporalio/client/lib/internal';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import type { takedown } from './workflows';
import { TAKEDOWN_WORKFLOW_TYPE } from './workflows/definitions';
import { type TakedownRequest, type TakedownTarget, validateTakedownRequest } from './workflows/request';
import { TakedownAppId, TakedownOutcome, TakedownProvider, TakedownViolationId } from './workflows/search-attributes';

/** Default workflow task queue of the contract. */
export const DEFAULT_TASK_QUEUE = 'takedown';

export class InvalidTakedownRequestError extends Error {
  override readonly name = 'InvalidTakedownRequestError';
  readonly code = 'TAKEDOWN_INVALID_REQUEST';
  constructor(readonly problems: string[]) {
    super(`invalid takedown request: ${problems.join('; ')}`);
  }
}

/** First 16 hex characters of sha256(streamKey): names a key without revealing it. */
export function streamKeyFingerprint(streamKey: string): string {
  return createHash('sha256').update(streamKey).digest('hex').slice(0, 16);
}

/**
 * `takedown/zego/<appId>/<roomId>/<streamId>`, `takedown/zego/<appId>/<roomId>` (the whole room),
 * `takedown/agora/<appId>/<region>/<key fingerprint>` or `takedown/agora/<appId>/rtc/<channel>/<uid>`.
 */
export function takedownWorkflowId(target: TakedownTarget | TakedownRequest['target']): string {
  if (target.provider === 'zego') return target.streamId === undefined ? `takedown/zego/${target.appId}/${target.roomId}` : `takedown/zego/${target.appId}/${target.roomId}/${target.streamId}`;
  if (target.streamKey === undefined) return `takedown/agora/${target.appId}/rtc/${target.channel}/${target.uid}`;
  return `takedown/agora/${target.appId}/${target.region}/${streamKeyFingerprint(target.streamKey)}`;
}

/** One line for the Web UI: provider, target and violation, never a stream key. */
export function takedownSummary(request: { violationId: string; target: TakedownTarget | TakedownRequest['target'] }): string {
  const { target } = request;
  const where =
    target.provider === 'zego'
      ? `ZEGO app ${target.appId}, room ${target.roomId}${target.streamId === undefined ? ' (every stream)' : `, stream ${target.streamId}, user ${target.userId}`}`
      : target.streamKey === undefined
        ? `Agora app ${target.appId}, channel ${target.channel}, uid ${target.uid}`
        : `Agora app ${target.appId} (${target.region}), key ${streamKeyFingerprint(target.streamKey)}${target.channel ? `, channel ${target.channel}` : ''}`;
  return `Takedown of ${where} for violation ${request.violationId}`;
}

export interface StartTakedownOptions {
  /**
   * @default `takedown` (or `TAKEDOWN_TASK_QUEUE`)
   */
  taskQueue?: string;
  /**
   * @default {@link takedownWorkflowId}
   */
  workflowId?: string;
  /**
   * Id of the start request. Temporal answers a start that repeats the id of the one that created
   * the current run with that run (even after it completed), and with `USE_EXISTING` the id is
   * attached to the running execution it joins, so a repeat is answered the same way. The intake
   * derives it from the verdict's source key (src/intake/dedup.ts).
   * @default a fresh UUID per call
   */
  requestId?: string;
  /** What to do when a takedown with the id is running. @default 'USE_EXISTING' */
  workflowIdConflictPolicy?: 'USE_EXISTING' | 'FAIL';
}

/** Start options that carry a request id and, when joining a running execution, attach it there. */
export function requestIdStartOptions(requestId: string | undefined, conflictPolicy: 'USE_EXISTING' | 'FAIL' | undefined): object {
  if (requestId === undefined) return {};
  const attach = conflictPolicy === undefined || conflictPolicy === 'USE_EXISTING';
  return { [InternalWorkflowStartOptionsSymbol]: { requestId, ...(attach ? { onConflictOptions: { attachRequestId: true } } : {}) } };
}

/**
 * Client interceptors that open a `StartWorkflow:takedown` span around each start and pass its
 * trace context to the workflow, so the takedown joins the caller's trace: give them to
 * `new Client({ connection, interceptors: takedownClientInterceptors() })`. They record spans only
 * where an OpenTelemetry tracer provider is registered (`installTracing` in `src/telemetry`, or the
 * caller's own SDK); elsewhere they cost next to nothing.
 */
export function takedownClientInterceptors(): ClientInterceptors {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/**
 * The fairness key of a takedown's workflow tasks: its provider app. On a server with task queue
 * fairness, another app's raid waiting in the same partition of the workflow queue does not come
 * first. Sticky queues and the choice of partition are outside fairness (README, "Queue layouts").
 * At most 38 bytes (the server allows 64).
 */
export function takedownFairnessKey(target: { provider: string; appId: string | number }): string {
  return `${target.provider}/${target.appId}`;
}

/**
 * Validates the request, then starts the takedown or joins the one already running for the same
 * stream. Throws {@link InvalidTakedownRequestError} before contacting Temporal when the request is invalid.
 */
export async function startTakedown(
  client: Client,
  request: TakedownRequest,
  options: StartTakedownOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof takedown>> {
  const validation = validateTakedownRequest(request);
  if (!validation.ok) throw new InvalidTakedownRequestError(validation.problems);
  const { target, violationId } = validation.request;
  return client.workflow.start<typeof takedown>(TAKEDOWN_WORKFLOW_TYPE, {
    taskQueue: options.taskQueue ?? process.env.TAKEDOWN_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
    workflowId: options.workflowId ?? takedownWorkflowId(target),
    args: [request],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: takedownSummary(validation.request),
    priority: { fairnessKey: takedownFairnessKey(target) },
    typedSearchAttributes: [
      { key: TakedownProvider, value: target.provider },
      { key: TakedownAppId, value: String(target.appId) },
      { key: TakedownViolationId, value: violationId },
      { key: TakedownOutcome, value: 'running' },
    ],
    ...(options.workflowIdConflictPolicy ? { workflowIdConflictPolicy: options.workflowIdConflictPolicy } : {}),
    ...requestIdStartOptions(options.requestId, options.workflowIdConflictPolicy),
  });
}
