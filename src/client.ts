/**
 * Starting takedowns from classifier code. Duplicate triggers for the same stream join the running
 * takedown (`USE_EXISTING`) instead of racing it.
 */
import { createHash } from 'node:crypto';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
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
    typedSearchAttributes: [
      { key: TakedownProvider, value: target.provider },
      { key: TakedownAppId, value: String(target.appId) },
      { key: TakedownViolationId, value: violationId },
      { key: TakedownOutcome, value: 'running' },
    ],
  });
}
