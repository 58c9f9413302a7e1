/** Runs one provider call as a takedown step: request id, cancellation, metrics, logs, failure mapping. */
import { createHash } from 'node:crypto';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ProviderError, ProviderRateLimitedError, ProviderUnknownAnswerError } from '../providers/errors';
import type { CallOptions, ProviderName, ProviderResult } from '../providers/types';
import type { StepAction, StepHeartbeat, StepRecord } from '../workflows/types';
import { StepFailureType, toStepFailure } from './failures';

/** Spaces provider calls across workers (`src/takedown-worker/pacer.ts`); keyed by activity task queue. */
export interface CallPacer {
  awaitSlot(activityQueue: string, signal?: AbortSignal): Promise<{ waitedMs: number; reservations: number }>;
  holdOff(activityQueue: string, untilMs: number): Promise<void>;
}

/**
 * A request id in UUID form derived from the workflow run, the activity and the attempt, so an id
 * a provider's support quotes can be traced back to one attempt (every attempt is logged with it).
 */
export function providerRequestId(info: { workflowExecution?: { workflowId: string; runId: string }; activityId: string; attempt: number }): string {
  const { workflowId, runId } = info.workflowExecution ?? { workflowId: '', runId: '' };
  const hex = createHash('sha256').update(`${workflowId}\n${runId}\n${info.activityId}\n${info.attempt}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Calls the provider once; returns the step record or throws the ApplicationFailure for Temporal. */
export async function runProviderCall<R extends ProviderResult>(
  provider: ProviderName,
  action: StepAction | 'FindSessions' | 'ListStreams' | 'GetSession' | 'BanUser',
  call: (options: CallOptions) => Promise<R>,
  pacer?: CallPacer,
): Promise<R & { attempts: number }> {
  const context = Context.current();
  const { attempt, taskQueue } = context.info;
  const requestId = providerRequestId(context.info);
  const tags = { provider, action };
  const stopBeating = keepAlive(context);
  try {
    if (pacer) await awaitSlot(pacer, taskQueue, tags);
    const started = performance.now();
    const calls = context.metricMeter.createCounter('takedown_provider_calls', 'calls', 'Provider calls by outcome');
    try {
      const result = await call({ signal: context.cancellationSignal, requestId });
      const latencyMs = performance.now() - started;
      calls.add(1, { ...tags, outcome: result.outcome });
      context.metricMeter.createHistogram('takedown_step_latency', 'float', 'ms', 'Provider call latency').record(latencyMs, { ...tags, outcome: result.outcome });
      log.info('provider call succeeded', { ...tags, outcome: result.outcome, attempt, providerCode: result.providerCode, requestId: result.requestId, latencyMs: Math.round(latencyMs) });
      return { ...result, attempts: attempt };
    } catch (err) {
      const failure = toStepFailure(err, attempt);
      // Recorded so that a step whose budget runs out can still name the provider's last answer:
      // Temporal's timeout failure carries the last heartbeat, not the last attempt's error.
      if (err instanceof ProviderError) context.heartbeat({ lastAnswer: err.message } satisfies StepHeartbeat);
      if (pacer && err instanceof ProviderRateLimitedError) await holdOff(pacer, taskQueue, failure as ApplicationFailure, tags);
      calls.add(1, { ...tags, outcome: 'failed' });
      // Throttling is one kind of `failed` call; counted apart so that it can be alerted on.
      if (err instanceof ProviderRateLimitedError) context.metricMeter.createCounter('takedown_provider_throttled', 'calls', 'Provider calls answered with a rate limit').add(1, tags);
      // An answer no code table knows is logged whole (provider answers carry no credentials).
      const raw = err instanceof ProviderUnknownAnswerError ? { raw: err.raw } : {};
      log.warn('provider call failed', { ...tags, attempt, error: (err as Error)?.message, requestId, ...raw });
      throw failure;
    }
  } finally {
    stopBeating();
  }
}

/**
 * Heartbeats once a call has run a second, so that a worker dying mid-call is noticed within the
 * step's heartbeat timeout rather than its start-to-close timeout. It re-sends the previous
 * attempt's last answer, which the workflow's budget-exhausted message reads.
 */
function keepAlive(context: Context): () => void {
  const details = context.info.heartbeatDetails as StepHeartbeat | undefined;
  const timer = setInterval(() => context.heartbeat(details), 1_000);
  return () => clearInterval(timer);
}

/** Waits for the call's slot; a pacer that cannot grant one fails the attempt before anything is sent. */
async function awaitSlot(pacer: CallPacer, taskQueue: string, tags: { provider: ProviderName; action: string }): Promise<void> {
  const context = Context.current();
  try {
    const { waitedMs, reservations } = await pacer.awaitSlot(taskQueue, context.cancellationSignal);
    context.metricMeter.createHistogram('takedown_pacer_wait', 'int', 'ms', 'Wait for a provider call slot').record(Math.round(waitedMs), tags);
    if (reservations > 1) log.info('provider call slot reserved again after a late grant', { ...tags, reservations, waitedMs });
  } catch (err) {
    if (context.cancellationSignal.aborted) throw err;
    log.warn('no provider call slot', { ...tags, error: (err as Error)?.message });
    throw ApplicationFailure.create({ type: StepFailureType.PacerUnavailable, message: (err as Error)?.message ?? String(err) });
  }
}

/** Throttled: every worker's next call on the queue waits as long as this attempt's retry. */
async function holdOff(pacer: CallPacer, taskQueue: string, failure: ApplicationFailure, tags: { provider: ProviderName; action: string }): Promise<void> {
  const delayMs = typeof failure.nextRetryDelay === 'number' ? failure.nextRetryDelay : 1_000;
  try {
    await pacer.holdOff(taskQueue, Date.now() + delayMs);
  } catch (err) {
    // The retry itself still waits; only the other workers may call once more before they see a throttle too.
    log.warn('could not hold off the provider pacer', { ...tags, error: (err as Error)?.message });
  }
}

/** The contract's step record for a successful call. */
export function stepRecord(action: StepAction, result: ProviderResult & { attempts: number }, extra: Partial<StepRecord> = {}): StepRecord {
  return {
    action,
    outcome: result.outcome,
    attempts: result.attempts,
    ...(result.requestId ? { providerRequestId: result.requestId } : {}),
    providerCode: result.providerCode,
    ...extra,
  };
}
