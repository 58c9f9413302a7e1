/**
 * How a workflow runs a step's activity (on its bucket's rate-limited task queue) and what an
 * activity's failure means for the contract. Shared by the takedown and ban workflows.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { TakedownActivities } from '../activities';
import { STEP_KINDS, type Bucket, type Step } from './plan';
import { TakedownFailureType, type ProviderRoute, type StepHeartbeat } from './types';

/** Activities on a bucket's rate-limited queue, or (no bucket: no provider call of their own) on this workflow's queue. */
export function stepActivities(route: ProviderRoute, bucket: Bucket | undefined, summary: string): TakedownActivities {
  const retry = { initialInterval: route.retry.initialInterval, maximumInterval: route.retry.maximumInterval, backoffCoefficient: 2, maximumAttempts: route.retry.maximumAttempts };
  if (bucket === undefined) {
    // Waits for a ban workflow's rule step, which has the same budget; it heartbeats meanwhile.
    return proxyActivities<TakedownActivities>({ taskQueue: workflowInfo().taskQueue, summary, startToCloseTimeout: route.retry.budget, heartbeatTimeout: '5s', retry });
  }
  const queue = (route.queues as Partial<Record<Bucket, string>>)[bucket];
  // Unreachable while routes are built from the same bucket types: kept so a broken route fails loudly.
  if (!queue) throw ApplicationFailure.nonRetryable(`worker route has no task queue for ${bucket}`, TakedownFailureType.ProviderUnavailable);
  const fairness = (route.fairness as Partial<Record<Bucket, { key: string; weight: number }>> | undefined)?.[bucket];
  return proxyActivities<TakedownActivities>({
    taskQueue: queue,
    ...(fairness ? { priority: { fairnessKey: fairness.key, fairnessWeight: fairness.weight } } : {}),
    summary,
    // Rate limits live on these task queues; an eager activity would skip them.
    allowEagerDispatch: false,
    startToCloseTimeout: '30s',
    // A call that runs past a second heartbeats (activities/steps.ts), so the attempt of a worker
    // that died is retried after this, not after the start-to-close timeout.
    heartbeatTimeout: '5s',
    scheduleToCloseTimeout: route.retry.budget,
    // Which failures are retried is decided by the activities (activities/failures.ts).
    retry,
  });
}

/** Runs a step's activity; throws what the activity failed with. */
export async function runStepActivity(route: ProviderRoute, step: Step): Promise<unknown> {
  const { activity, bucket }: { activity: keyof TakedownActivities; bucket?: Bucket } = STEP_KINDS[step.kind];
  const run = stepActivities(route, bucket, step.summary)[activity] as (input: Step['input']) => Promise<unknown>;
  return run(step.input);
}

/**
 * The contract's failure for an activity's failure, or undefined for anything else: a
 * non-retryable failure carries its type; a retried one whose budget ran out is `ProviderUnavailable`.
 */
export function contractFailure(err: unknown, provider: string, action: string): { type: TakedownFailureType; message: string } | undefined {
  if (!(err instanceof ActivityFailure)) return undefined;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.nonRetryable && isTakedownFailureType(cause.type)) {
    return { type: cause.type, message: cause.message ?? `${provider} ${action} was rejected` };
  }
  // When the budget runs out the cause is a timeout; the last answer comes from the step's heartbeat.
  const lastAnswer = (cause instanceof TimeoutFailure ? (cause.lastHeartbeatDetails as StepHeartbeat | undefined) : undefined)?.lastAnswer;
  const last =
    cause instanceof TimeoutFailure
      ? `timed out (${cause.timeoutType})${lastAnswer ? `; last answer: ${lastAnswer}` : ''}`
      : (cause?.message ?? 'unknown failure');
  return { type: TakedownFailureType.ProviderUnavailable, message: `${provider} ${action} did not succeed within the retry budget: ${last}` };
}

function isTakedownFailureType(type: string | undefined | null): type is TakedownFailureType {
  return type !== undefined && type !== null && Object.hasOwn(TakedownFailureType, type);
}
